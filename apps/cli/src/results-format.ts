/**
 * Result rows as the CLI writes them. JSONL has the shape of the orchestrator's local export
 * (results.jsonl): `{index, input, label, probabilities}` or `{index, input, error: {code, message}}`.
 * CSV (RFC 4180, CRLF) has the dashboard download's columns, probabilities as a JSON array.
 */
import type { ResultView } from '@offsample/gateway/client';

export const RESULT_FORMATS = ['jsonl', 'csv'] as const;
export type ResultFormat = (typeof RESULT_FORMATS)[number];

export const CSV_HEADER = 'input_index,input,label,probabilities,error_code,error_message\r\n';

export function jsonlLine(r: ResultView): string {
  const body =
    r.errorCode !== null
      ? { index: r.inputIndex, input: r.input, error: { code: r.errorCode, message: r.errorMessage } }
      : { index: r.inputIndex, input: r.input, label: r.label, probabilities: r.probabilities };
  return `${JSON.stringify(body)}\n`;
}

function csvField(value: string | number | null): string {
  if (value === null) return '';
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(r: ResultView): string {
  const probabilities = r.probabilities ? JSON.stringify(r.probabilities) : null;
  return `${[r.inputIndex, r.input, r.label, probabilities, r.errorCode, r.errorMessage].map(csvField).join(',')}\r\n`;
}
