/** Plain-text tables for the terminal: label | value | note, columns padded to fit. */
import type { TableRow } from './section.js';

export function renderTable(title: string, rows: readonly TableRow[]): string {
  const labelWidth = Math.max(0, ...rows.map((r) => r.label.length));
  const valueWidth = Math.max(0, ...rows.map((r) => r.value.length));
  const lines = rows.map((r) => {
    const base = `  ${r.label.padEnd(labelWidth)}  ${r.value.padStart(valueWidth)}`;
    return r.note === undefined ? base : `${base}   ${r.note}`;
  });
  const rule = '─'.repeat(Math.min(100, Math.max(title.length + 2, ...lines.map((l) => l.length))));
  return [rule, ` ${title}`, rule, ...lines, rule].join('\n');
}
