/** One input of a job: its position in the job's input list and the URL / key / path itself. */
export interface WorkItem {
  index: number;
  input: string;
}

/**
 * What the task runtime reports for one input: exactly one of `label` or `errorCode` is set
 * (`probabilities` goes with `label`, `errorMessage` with `errorCode`).
 */
export interface ItemOutcome {
  index: number;
  input: string;
  label: string | null;
  probabilities: number[] | null;
  errorCode: string | null;
  errorMessage: string | null;
  /** Wall time of the successful fetch attempt chain (retries and back-off included). */
  fetchMs?: number | null;
  /** Wall time of decode + resize + normalise. */
  preprocessMs?: number | null;
  /** This item's share of its batch's `session.run` time (batch time / batch size). */
  inferMs?: number | null;
}

export const LogLevel = {
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
} as const;
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];

/** Structured log sink; the runtime never writes to stdout itself (stdout may carry results). */
export type LogFn = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;

/** Milliseconds since the epoch; injectable so tests can pass a fake clock. */
export type NowFn = () => number;
