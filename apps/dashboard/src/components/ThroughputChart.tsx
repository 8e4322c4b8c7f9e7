'use client';
/**
 * Throughput over time as an inline SVG: inputs finished per bucket, drawn as images per second
 * against time since the job started.
 */
import type { ThroughputPoint } from '@/lib/types';
import { formatRate } from '@/lib/format';
import { elapsedLabel, niceTicks, timeStepMs, useElementWidth } from '@/lib/use-width';

const HEIGHT = 220;
const PAD = { top: 22, right: 14, bottom: 28, left: 44 };

/** Bucket width: the most common gap between consecutive points (buckets with no items may be absent). */
function bucketMsOf(points: { ms: number }[]): number {
  const gaps = new Map<number, number>();
  for (let i = 1; i < points.length; i++) {
    const gap = points[i]!.ms - points[i - 1]!.ms;
    if (gap > 0) gaps.set(gap, (gaps.get(gap) ?? 0) + 1);
  }
  let best = 1000;
  let bestCount = 0;
  for (const [gap, count] of gaps) {
    if (count > bestCount || (count === bestCount && gap < best)) {
      best = gap;
      bestCount = count;
    }
  }
  return best;
}

/** The gateway leaves empty buckets out; put them back as zeros so the line drops where work stopped. */
function fillGaps(points: { ms: number; items: number }[], bucketMs: number, untilMs: number | null): { ms: number; items: number }[] {
  const out: { ms: number; items: number }[] = [];
  const pad = (from: number, to: number) => {
    for (let t = from; t < to - bucketMs / 2 && out.length < 10_000; t += bucketMs) out.push({ ms: t, items: 0 });
  };
  for (const p of points) {
    const prev = out[out.length - 1];
    if (prev) pad(prev.ms + bucketMs, p.ms);
    out.push(p);
  }
  // Up to the last whole bucket before now (or the end): a stall shows as zeros, not as nothing.
  const last = out[out.length - 1];
  if (last && untilMs !== null) pad(last.ms + bucketMs, untilMs - bucketMs / 2);
  return out;
}

export function ThroughputChart({
  points,
  startedAt,
  bucketMs,
  untilMs = null,
}: {
  points: ThroughputPoint[];
  startedAt: string | null;
  bucketMs?: number;
  /** The job's end, or now while it runs: the time axis reaches it. */
  untilMs?: number | null;
}) {
  const [ref, width] = useElementWidth<HTMLDivElement>(720);
  const sparse = points.map((p) => ({ ms: Date.parse(p.t), items: p.items })).sort((a, b) => a.ms - b.ms);
  const parsed = bucketMs ? fillGaps(sparse, bucketMs, untilMs) : sparse;
  if (parsed.length === 0) {
    return (
      <div ref={ref} className="chart">
        <div className="empty">No finished inputs yet.</div>
      </div>
    );
  }
  const bucket = bucketMs ?? bucketMsOf(parsed);
  const origin = Math.min(startedAt ? Date.parse(startedAt) : Infinity, parsed[0]!.ms);
  const series = parsed.map((p) => ({ x: p.ms + bucket / 2 - origin, rate: p.items / (bucket / 1000) }));
  const spanMs = Math.max(parsed[parsed.length - 1]!.ms + bucket - origin, untilMs === null ? 0 : untilMs - origin, bucket);
  const maxRate = Math.max(...series.map((s) => s.rate), 0.1);
  const yTicks = niceTicks(maxRate, 4);
  const yMax = yTicks[yTicks.length - 1]! || maxRate;
  const plotW = Math.max(width - PAD.left - PAD.right, 10);
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (ms: number) => PAD.left + (ms / spanMs) * plotW;
  const y = (rate: number) => PAD.top + plotH - (rate / yMax) * plotH;
  const step = timeStepMs(spanMs, Math.max(2, Math.floor(plotW / 80)));
  const xTicks: number[] = [];
  for (let t = 0; t <= spanMs; t += step) xTicks.push(t);

  // Bars per bucket read truthfully (a bucket is an interval); the line joins their centres.
  const barW = Math.max((bucket / spanMs) * plotW - 1, 1);
  const line = series.map((s, i) => `${i === 0 ? 'M' : 'L'}${x(s.x).toFixed(1)},${y(s.rate).toFixed(1)}`).join(' ');
  // Over the whole span: buckets with nothing finished may be missing from `points`.
  const mean = parsed.reduce((sum, p) => sum + p.items, 0) / (spanMs / 1000);
  const peak = Math.max(...series.map((s) => s.rate));

  return (
    <div ref={ref} className="chart" data-testid="throughput-chart">
      <svg width={width} height={HEIGHT} viewBox={`0 0 ${width} ${HEIGHT}`} role="img" aria-label={`Throughput, peak ${formatRate(peak)}`}>
        {yTicks.map((v) => (
          <g key={`y${v}`}>
            <line className="grid" x1={PAD.left} x2={PAD.left + plotW} y1={y(v)} y2={y(v)} />
            <text x={PAD.left - 6} y={y(v) + 4} textAnchor="end">
              {v}
            </text>
          </g>
        ))}
        <text x={PAD.left - 6} y={10} textAnchor="end">
          img/s
        </text>
        {series.map((s, i) => (
          <rect key={i} x={x(s.x) - barW / 2} y={y(s.rate)} width={barW} height={PAD.top + plotH - y(s.rate)} fill="#c9d6fa">
            <title>{`${elapsedLabel(s.x - bucket / 2)}: ${formatRate(s.rate)}`}</title>
          </rect>
        ))}
        <path d={line} fill="none" stroke="#1f4fd1" strokeWidth={2} strokeLinejoin="round" />
        <line className="axis" x1={PAD.left} x2={PAD.left + plotW} y1={PAD.top + plotH} y2={PAD.top + plotH} />
        {xTicks.map((t) => (
          <text key={`x${t}`} x={x(t)} y={HEIGHT - 8} textAnchor="middle">
            {elapsedLabel(t)}
          </text>
        ))}
      </svg>
      <div className="legend">
        <span>
          <i className="swatch" style={{ background: '#c9d6fa' }} /> per {elapsedLabel(bucket)} bucket
        </span>
        <span className="num">mean {formatRate(mean)}</span>
        <span className="num">peak {formatRate(peak)}</span>
      </div>
    </div>
  );
}
