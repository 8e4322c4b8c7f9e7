/** Retry with exponential back-off and jitter, for failures marked `retryable` only. */
import { ItemErrorCode, normalizeError, OffsampleError } from '../errors.js';

export interface RetryPolicy {
  retries: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
}

/** A retryable error may carry the server's wish (Retry-After) for the next delay. */
export class RetryAfterHint extends OffsampleError {
  constructor(
    base: OffsampleError,
    readonly retryAfterMs: number,
  ) {
    super(base.code, base.message, { retryable: base.retryable, cause: base.cause });
  }
}

/** Delay before retry `n` (1-based): base × 2^(n-1), capped, then "equal jitter" (half fixed, half random). */
export function backoffMs(n: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exp = Math.min(policy.retryMaxDelayMs, policy.retryBaseDelayMs * 2 ** (n - 1));
  return Math.round(exp / 2 + random() * (exp / 2));
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new OffsampleError(ItemErrorCode.CANCELLED, 'cancelled'));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(new OffsampleError(ItemErrorCode.CANCELLED, 'cancelled'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Run `attempt` until it succeeds, fails with a non-retryable error, or `policy.retries` extra
 * tries are used up. The last error is rethrown with the attempt count in its message.
 */
export async function withRetry<T>(attempt: (n: number) => Promise<T>, policy: RetryPolicy, signal?: AbortSignal): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (raw) {
      const err = normalizeError(raw);
      if (!err.retryable || n >= policy.retries || signal?.aborted) {
        if (n === 0) throw err;
        throw new OffsampleError(err.code, `${err.message} (after ${n + 1} attempts)`, { retryable: err.retryable, cause: err });
      }
      const hinted = err instanceof RetryAfterHint ? Math.min(err.retryAfterMs, policy.retryMaxDelayMs) : 0;
      await sleep(Math.max(hinted, backoffMs(n + 1, policy)), signal);
    }
  }
}
