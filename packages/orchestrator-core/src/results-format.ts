/**
 * The one text form of a job's results, shared by every export: the job's own output
 * (`results.jsonl`: print / local / S3), `offsample results --format jsonl|csv`, and the
 * dashboard's downloads. A script written against one reads the others.
 *
 * - JSONL, one line per input: `{"index", "input", "label", "probabilities"}` for a result,
 *   `{"index", "input", "error": {"code", "message"}}` for an error record.
 * - CSV (RFC 4180, CRLF line ends): `CSV_HEADER`, then one row per input, probabilities as a JSON
 *   array, empty fields for what a row does not have.
 *
 * No imports: the dashboard's server bundle takes this file alone
 * (`@offsample/orchestrator-core/results-format`).
 */

export const RESULT_FORMATS = ['jsonl', 'csv'] as const;
export type ResultFormat = (typeof RESULT_FORMATS)[number];

/** What an export needs of a result or error record (the store's, the gateway's and the dashboard's rows all have it). */
export interface ResultRow {
  inputIndex: number;
  input: string;
  label: string | null;
  probabilities: number[] | null;
  errorCode: string | null;
  errorMessage: string | null;
}

export const CSV_HEADER = 'input_index,input,label,probabilities,error_code,error_message\r\n';

export function resultJsonLine(r: ResultRow): string {
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

export function resultCsvLine(r: ResultRow): string {
  const probabilities = r.probabilities ? JSON.stringify(r.probabilities) : null;
  return `${[r.inputIndex, r.input, r.label, probabilities, r.errorCode, r.errorMessage].map(csvField).join(',')}\r\n`;
}

/** The line writer of a format. */
export function resultLineWriter(format: ResultFormat): (r: ResultRow) => string {
  return format === 'csv' ? resultCsvLine : resultJsonLine;
}
