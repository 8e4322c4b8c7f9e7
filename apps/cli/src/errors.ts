/** Stable error codes of the CLI. Each maps to a process exit code in `exitCodeFor`. */
export const CliErrorCode = {
  /** Unknown command or flag, missing or malformed argument. */
  Usage: 'USAGE',
  /** A config file (or flag combination) that fails validation. */
  Config: 'CONFIG',
  /** An input file or directory that cannot be read. */
  InputFile: 'INPUT_FILE',
  /** Anything else that stops a command. */
  Failed: 'FAILED',
} as const;
export type CliErrorCode = (typeof CliErrorCode)[keyof typeof CliErrorCode];

/** Exit codes: 2 for anything the user can fix on the command line or in a config file (as getopt tools do). */
const EXIT_CODES: Record<CliErrorCode, number> = {
  USAGE: 2,
  CONFIG: 2,
  INPUT_FILE: 2,
  FAILED: 1,
};

/** Base error of the CLI: a stable `code`; nothing here is retried (the user re-runs the command). */
export class CliError extends Error {
  readonly code: CliErrorCode;
  readonly retryable: boolean = false;
  constructor(code: CliErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.code = code;
  }

  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}

export function usageError(message: string): CliError {
  return new CliError(CliErrorCode.Usage, message);
}

/** Normalises anything thrown into a message (no stack for expected errors). */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
