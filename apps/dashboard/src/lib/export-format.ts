/** Result rows as CSV or JSONL lines (the export route streams these, one page at a time). */
import type { ResultRow } from './types';

export const EXPORT_FORMATS = ['csv', 'jsonl'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const CSV_HEADER = 'input_index,input,label,probabilities,error_code,error_message\r\n';

function csvField(value: string | number | null): string {
  if (value === null) return '';
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(r: ResultRow): string {
  const probs = r.probabilities ? JSON.stringify(r.probabilities) : null;
  return [r.inputIndex, r.input, r.label, probs, r.errorCode, r.errorMessage].map(csvField).join(',') + '\r\n';
}

export function jsonlLine(r: ResultRow): string {
  return (
    JSON.stringify({
      inputIndex: r.inputIndex,
      input: r.input,
      label: r.label,
      probabilities: r.probabilities,
      errorCode: r.errorCode,
      errorMessage: r.errorMessage,
    }) + '\n'
  );
}
