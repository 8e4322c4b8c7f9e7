/**
 * One error class for the whole runtime: a stable `code` callers switch on, and `retryable`
 * telling the fetch stage (and the orchestrator) whether trying again can help.
 */

/** Per-item error codes: each becomes that item's error record; the split goes on. */
export const ItemErrorCode = {
  NOT_FOUND: 'NOT_FOUND',
  HTTP_ERROR: 'HTTP_ERROR',
  TIMEOUT: 'TIMEOUT',
  TOO_LARGE: 'TOO_LARGE',
  NOT_AN_IMAGE: 'NOT_AN_IMAGE',
  DECODE_FAILED: 'DECODE_FAILED',
  FETCH_FAILED: 'FETCH_FAILED',
  FORBIDDEN_ADDRESS: 'FORBIDDEN_ADDRESS',
  BAD_INPUT: 'BAD_INPUT',
  INFERENCE_FAILED: 'INFERENCE_FAILED',
  /** The run was aborted (its attempt was abandoned) before this item finished. */
  CANCELLED: 'CANCELLED',
  /** A bug: something the runtime did not expect. */
  INTERNAL: 'INTERNAL',
} as const;
export type ItemErrorCode = (typeof ItemErrorCode)[keyof typeof ItemErrorCode];

/** Errors that stop a whole task manager (never attached to one item). */
export const TaskErrorCode = {
  CONFIG_INVALID: 'CONFIG_INVALID',
  PAYLOAD_INVALID: 'PAYLOAD_INVALID',
  MODEL_LOAD_FAILED: 'MODEL_LOAD_FAILED',
  PIPELINE_CLOSED: 'PIPELINE_CLOSED',
} as const;
export type TaskErrorCode = (typeof TaskErrorCode)[keyof typeof TaskErrorCode];

export type ErrorCode = ItemErrorCode | TaskErrorCode;

export class OffsampleError extends Error {
  override readonly name = 'OffsampleError';
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

// Node system errors worth another try: the peer went away or was not there yet.
const RETRYABLE_SYSTEM_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
]);

function systemCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** Turn anything thrown into an OffsampleError (boundaries call this on every `unknown`). */
export function normalizeError(err: unknown): OffsampleError {
  if (err instanceof OffsampleError) return err;
  const message = err instanceof Error ? err.message : String(err);
  const code = systemCode(err);
  if (err instanceof Error && (err.name === 'AbortError' || code === 'ABORT_ERR')) {
    return new OffsampleError(ItemErrorCode.CANCELLED, message || 'aborted', { cause: err });
  }
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new OffsampleError(ItemErrorCode.NOT_FOUND, message, { cause: err });
  }
  if (code === 'ENOTFOUND') {
    // DNS says the host does not exist; asking again will not change that.
    return new OffsampleError(ItemErrorCode.FETCH_FAILED, message, { cause: err });
  }
  if (code === 'ETIMEDOUT') {
    return new OffsampleError(ItemErrorCode.TIMEOUT, message, { retryable: true, cause: err });
  }
  if (code !== undefined && RETRYABLE_SYSTEM_CODES.has(code)) {
    return new OffsampleError(ItemErrorCode.FETCH_FAILED, message, { retryable: true, cause: err });
  }
  if (err instanceof Error && message === 'socket hang up') {
    return new OffsampleError(ItemErrorCode.FETCH_FAILED, message, { retryable: true, cause: err });
  }
  return new OffsampleError(ItemErrorCode.INTERNAL, message || 'unknown error', { cause: err });
}
