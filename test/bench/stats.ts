/** Small numeric helpers for figures: medians, rates and fixed-width formatting. */

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

export function perSecond(count: number, ms: number): number {
  return ms > 0 ? (count * 1000) / ms : Number.NaN;
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export const fmt = {
  rate: (v: number) => `${v.toFixed(1)} img/s`,
  ratio: (v: number) => v.toFixed(3),
  ms: (v: number) => `${v.toFixed(1)} ms`,
  s: (ms: number) => `${(ms / 1000).toFixed(1)} s`,
  pct: (v: number) => `${(v * 100).toFixed(1)} %`,
};
