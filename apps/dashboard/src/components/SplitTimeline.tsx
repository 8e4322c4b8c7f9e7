'use client';
/**
 * Split timeline as an inline SVG: one row per task manager, one bar per attempt from its start
 * to its end (or now). Colour is the attempt's outcome; speculative copies are striped, retries
 * (a split's second and later ordinary attempts) get an amber edge, and lost leases end in a cross.
 */
import type { Attempt, Split } from '@/lib/types';
import { formatDuration, formatTime } from '@/lib/format';
import { elapsedLabel, timeStepMs, useElementWidth } from '@/lib/use-width';

const GUTTER = 54;
const RIGHT = 10;
const AXIS_H = 22;

const FILL: Record<string, string> = {
  SUCCEEDED: '#3a9b5c',
  RUNNING: '#3f6fe0',
  LOST: '#d3414a',
  FAILED: '#8f1d23',
  CANCELLED: '#b7bcc6',
};

export interface TimelineAttempt extends Attempt {
  ordinal: number;
  /** An ordinary (non-speculative) attempt after the split's first one. */
  retry: boolean;
}

/** Flattens splits into attempts tagged with their split ordinal and whether each is a retry. */
export function timelineAttempts(splits: Split[]): TimelineAttempt[] {
  const out: TimelineAttempt[] = [];
  for (const split of splits) {
    const ordered = [...split.attempts].sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
    let ordinary = 0;
    for (const a of ordered) {
      out.push({ ...a, ordinal: split.ordinal, retry: !a.speculative && ordinary > 0 });
      if (!a.speculative) ordinary++;
    }
  }
  return out;
}

export function SplitTimeline({
  attempts,
  tmLabels,
  startedAt,
  endedAt,
  now,
}: {
  attempts: TimelineAttempt[];
  tmLabels: Map<string, string>;
  startedAt: string | null;
  endedAt: string | null;
  now: number;
}) {
  const [ref, width] = useElementWidth<HTMLDivElement>(720);
  if (attempts.length === 0) {
    return (
      <div ref={ref} className="chart">
        <div className="empty">No split has been claimed yet.</div>
      </div>
    );
  }
  const rowsOrder = [...new Set(attempts.map((a) => a.taskManagerId))].sort((a, b) => {
    const la = tmLabels.get(a);
    const lb = tmLabels.get(b);
    return la && lb ? la.localeCompare(lb, 'en', { numeric: true }) : la ? -1 : lb ? 1 : a.localeCompare(b);
  });
  // A TM may hold two attempts at once (it claims the next split before the current one drains),
  // so overlapping attempts go on separate lanes of the TM's row.
  const laneH = rowsOrder.length > 40 ? 8 : rowsOrder.length > 16 ? 12 : 20;
  const endOf = (a: Attempt) => (a.endedAt ? Date.parse(a.endedAt) : now);
  let yCursor = 0;
  const rows = rowsOrder.map((id) => {
    const mine = attempts.filter((a) => a.taskManagerId === id).sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
    const laneEnds: number[] = [];
    const placed = mine.map((a) => {
      const start = Date.parse(a.startedAt);
      let lane = laneEnds.findIndex((end) => end <= start);
      if (lane < 0) lane = laneEnds.push(0) - 1;
      laneEnds[lane] = endOf(a);
      return { a, lane };
    });
    const row = { id, y: yCursor, height: Math.max(laneEnds.length, 1) * laneH + 6, placed };
    yCursor += row.height;
    return row;
  });
  const plotH = yCursor;
  const t0 = Math.min(startedAt ? Date.parse(startedAt) : Infinity, ...attempts.map((a) => Date.parse(a.startedAt)));
  const t1 = Math.max(endedAt ? Date.parse(endedAt) : 0, ...attempts.map(endOf), t0 + 1000);
  const span = t1 - t0;
  const plotW = Math.max(width - GUTTER - RIGHT, 10);
  const height = plotH + AXIS_H + 4;
  const x = (ms: number) => GUTTER + ((ms - t0) / span) * plotW;
  const step = timeStepMs(span, Math.max(2, Math.floor(plotW / 80)));
  const ticks: number[] = [];
  for (let t = 0; t <= span; t += step) ticks.push(t);
  const barH = laneH - 3;

  return (
    <div ref={ref} className="chart" data-testid="split-timeline">
      <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`Split timeline: ${attempts.length} attempts on ${rowsOrder.length} task managers`}>
        <defs>
          <pattern id="spec-stripes" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
            <rect width="3" height="6" fill="rgba(255,255,255,0.45)" />
          </pattern>
        </defs>
        {ticks.map((t) => (
          <g key={`t${t}`}>
            <line className="grid" x1={x(t0 + t)} x2={x(t0 + t)} y1={0} y2={plotH} />
            <text x={x(t0 + t)} y={height - 6} textAnchor="middle">
              {elapsedLabel(t)}
            </text>
          </g>
        ))}
        {rows.map((row, i) => (
          <g key={row.id}>
            {i % 2 === 1 ? <rect x={GUTTER} y={row.y} width={plotW} height={row.height} fill="#f8f9fb" /> : null}
            {row.height >= 14 ? (
              <text x={GUTTER - 6} y={row.y + Math.min(row.height, laneH + 6) / 2 + 4} textAnchor="end">
                <title>{row.id}</title>
                {tmLabels.get(row.id) ?? row.id.slice(0, 6)}
              </text>
            ) : null}
          </g>
        ))}
        {rows.flatMap((row) =>
          row.placed.map(({ a, lane }) => {
            const start = Date.parse(a.startedAt);
            const bx = x(start);
            const bw = Math.max(x(endOf(a)) - bx, 2);
            const by = row.y + 3 + lane * laneH + 1;
            const leaseLapsed = a.status === 'RUNNING' && Date.parse(a.leaseExpiresAt) < now;
            const lost = a.status === 'LOST' || leaseLapsed;
            const tags = [a.speculative ? 'speculative copy' : null, a.retry ? 'retry' : null, leaseLapsed ? 'lease lapsed' : null].filter(Boolean);
            return (
              <g key={a.id} data-status={a.status} data-speculative={a.speculative || undefined} data-retry={a.retry || undefined}>
                <title>
                  {`split #${a.ordinal} · ${a.status.toLowerCase()}${tags.length ? ` · ${tags.join(', ')}` : ''}\n` +
                    `${formatTime(a.startedAt)} → ${a.endedAt ? formatTime(a.endedAt) : 'now'} (${formatDuration(endOf(a) - start)})\n` +
                    `TM ${a.taskManagerId}`}
                </title>
                <rect x={bx} y={by} width={bw} height={barH} rx={2} fill={FILL[a.status] ?? '#999'} stroke={a.retry ? '#e08a00' : 'none'} strokeWidth={a.retry ? 2 : 0} />
                {a.speculative ? <rect x={bx} y={by} width={bw} height={barH} rx={2} fill="url(#spec-stripes)" /> : null}
                {lost ? (
                  <path
                    d={`M${bx + bw - 6},${by + 1} l5,${barH - 2} M${bx + bw - 1},${by + 1} l-5,${barH - 2}`}
                    stroke="#fff"
                    strokeWidth={1.8}
                  />
                ) : null}
                {laneH >= 16 && bw > 28 ? (
                  <text x={bx + 4} y={by + barH / 2 + 4} style={{ fill: a.status === 'CANCELLED' ? '#333' : '#fff', fontSize: 10 }}>
                    #{a.ordinal}
                  </text>
                ) : null}
              </g>
            );
          }),
        )}
        <line className="axis" x1={GUTTER} x2={GUTTER + plotW} y1={plotH} y2={plotH} />
      </svg>
      <div className="legend">
        {(['SUCCEEDED', 'RUNNING', 'LOST', 'FAILED', 'CANCELLED'] as const).map((s) => (
          <span key={s}>
            <i className="swatch" style={{ background: FILL[s] }} /> {s.toLowerCase()}
          </span>
        ))}
        <span>
          <i className="swatch" style={{ background: `repeating-linear-gradient(45deg, ${FILL.RUNNING} 0 3px, #9fb7f0 3px 6px)` }} /> speculative copy
        </span>
        <span>
          <i className="swatch" style={{ background: FILL.SUCCEEDED, outline: '2px solid #e08a00', outlineOffset: -2 }} /> retry
        </span>
        <span>✕ lost lease</span>
      </div>
    </div>
  );
}
