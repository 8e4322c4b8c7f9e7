/**
 * Counts what a classification run produced and prints the closing summary on stderr.
 */
import type { Writable } from 'node:stream';
import { formatDuration, formatPercent } from './format.js';

export interface RunStats {
  total: number;
  /** Inputs with a label. */
  done: number;
  /** Inputs with an error record. */
  failed: number;
  /** Error code → count, most frequent first when printed. */
  errorsByCode: Map<string, number>;
  /** Label → count. */
  labels: Map<string, number>;
  wallMs: number;
}

export function createRunStats(total: number): RunStats {
  return { total, done: 0, failed: 0, errorsByCode: new Map(), labels: new Map(), wallMs: 0 };
}

export function recordLabel(stats: RunStats, label: string): void {
  stats.done++;
  stats.labels.set(label, (stats.labels.get(label) ?? 0) + 1);
}

export function recordError(stats: RunStats, code: string): void {
  stats.failed++;
  stats.errorsByCode.set(code, (stats.errorsByCode.get(code) ?? 0) + 1);
}

/** Inputs finished per second over the whole run (labels and errors alike). */
export function imagesPerSecond(stats: RunStats): number {
  return stats.wallMs > 0 ? ((stats.done + stats.failed) * 1000) / stats.wallMs : 0;
}

function sortedEntries(m: Map<string, number>): [string, number][] {
  return [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

export interface SummaryExtras {
  /** Where the JSONL went (a path), or null for stdout. */
  resultsPath?: string | null;
  /** Accuracy on inputs with a known label. */
  accuracy?: { correct: number; scored: number } | null;
  /** Extra "key: value" lines, printed last. */
  lines?: [string, string][];
}

export function formatSummary(stats: RunStats, extras: SummaryExtras = {}): string {
  const rows: [string, string][] = [
    ['inputs', String(stats.total)],
    ['classified', String(stats.done)],
    ['errors', String(stats.failed)],
  ];
  for (const [code, n] of sortedEntries(stats.errorsByCode)) rows.push([`  ${code}`, String(n)]);
  if (stats.labels.size > 0) {
    rows.push(['labels', sortedEntries(stats.labels).map(([l, n]) => `${l} ${n}`).join(', ')]);
  }
  rows.push(['wall time', formatDuration(stats.wallMs)]);
  rows.push(['throughput', `${imagesPerSecond(stats).toFixed(1)} img/s`]);
  if (extras.accuracy) {
    const { correct, scored } = extras.accuracy;
    rows.push(['accuracy', scored > 0 ? `${formatPercent(correct / scored)} (${correct}/${scored} labelled images)` : 'n/a']);
  }
  if (extras.resultsPath !== undefined) rows.push(['results', extras.resultsPath ?? 'stdout']);
  for (const row of extras.lines ?? []) rows.push(row);
  const width = Math.max(...rows.map(([k]) => k.length));
  return `${rows.map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${v}`).join('\n')}\n`;
}

export function printSummary(stats: RunStats, extras: SummaryExtras = {}, stream: Writable = process.stderr): void {
  stream.write(formatSummary(stats, extras));
}
