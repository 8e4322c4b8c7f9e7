/** Latency summaries (nearest-rank percentiles) of the requests measured in a window. */
import { round } from '../../stats.js';

export interface LatencySummary {
  count: number;
  meanMs: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

export function summarise(values: readonly number[]): LatencySummary {
  if (values.length === 0) return { count: 0, meanMs: Number.NaN, p50Ms: Number.NaN, p90Ms: Number.NaN, p99Ms: Number.NaN, maxMs: Number.NaN };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    meanMs: round(sum / sorted.length),
    p50Ms: round(at(0.5)),
    p90Ms: round(at(0.9)),
    p99Ms: round(at(0.99)),
    maxMs: round(sorted[sorted.length - 1]!),
  };
}

/** p99 of each whole second of the window: a tail made by a few stalls shows as a few bad seconds,
 *  a tail made by steady queueing as every second alike. */
export interface SecondsSummary {
  seconds: number;
  minP99Ms: number;
  medianP99Ms: number;
  maxP99Ms: number;
  /** Seconds whose own p99 is under the bound. */
  secondsUnder: number;
  boundMs: number;
}

export function perSecondP99(endsMs: readonly number[], latenciesMs: readonly number[], fromMs: number, toMs: number, boundMs: number): SecondsSummary {
  const buckets: number[][] = [];
  for (let i = 0; i < endsMs.length; i++) {
    const end = endsMs[i]!;
    if (end < fromMs || end >= toMs) continue;
    (buckets[Math.floor((end - fromMs) / 1000)] ??= []).push(latenciesMs[i]!);
  }
  const p99s = buckets.filter((b) => b !== undefined && b.length > 0).map((b) => summarise(b).p99Ms).sort((a, b) => a - b);
  if (p99s.length === 0) return { seconds: 0, minP99Ms: Number.NaN, medianP99Ms: Number.NaN, maxP99Ms: Number.NaN, secondsUnder: 0, boundMs };
  return {
    seconds: p99s.length,
    minP99Ms: p99s[0]!,
    medianP99Ms: p99s[Math.floor((p99s.length - 1) / 2)]!,
    maxP99Ms: p99s[p99s.length - 1]!,
    secondsUnder: p99s.filter((v) => v < boundMs).length,
    boundMs,
  };
}
