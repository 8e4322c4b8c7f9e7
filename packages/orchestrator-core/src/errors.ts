/**
 * The one error base of orchestrator-core (DESIGN.md, style 4): a stable `code` callers switch on
 * and `retryable` (may the same call succeed later, unchanged?). Each area narrows `code` to its
 * own `as const` set; the gateway converts them to GraphQL errors.
 */
export class OrchestratorError<Code extends string = string> extends Error {
  override readonly name: string = 'OrchestratorError';
  readonly code: Code;
  readonly retryable: boolean;
  constructor(code: Code, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}
