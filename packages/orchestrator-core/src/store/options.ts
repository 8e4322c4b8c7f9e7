/**
 * PgSplitStore's options: the public type, compiled against STORE_DEFAULTS (defaults.ts) into the
 * values the store and its grouped calls use; a bad value is refused naming the option.
 */
import { STORE_DEFAULTS, WORKER_COMMITS, type WorkerCommit } from './defaults.js';
import { StoreError, StoreErrorCode } from './errors.js';
import type { GroupedCallsOptions } from './grouped-calls.js';

export interface PgSplitStoreOptions {
  /** claim() → 'wait' carries this retryAfterMs. */
  waitRetryMs?: number;
  /** createJob() inserts splits in batches of about this many inputs. */
  createJobBatchInputs?: number;
  /** Claim / complete batches in flight at once, per kind (group commit). */
  batchConcurrency?: number;
  /** A batch starts beside a running one of its kind only once this many calls wait (1: at once). */
  batchOverlapAt?: number;
  /** Most claim / complete calls written by one statement. */
  maxBatch?: number;
  /** Inputs of claimed attempts remembered for their completes (0: always look attempts up). */
  claimedInputs?: number;
  /** 'async' (default): claims, completes and heartbeats commit without waiting for the WAL flush;
   * 'sync': with the server's synchronous_commit (split-store.ts, "Commits"). */
  workerCommit?: WorkerCommit;
}

export interface CompiledStoreOptions {
  createJobBatchInputs: number;
  /** What the grouped calls get; `synchronousCommit` and `waitRetryMs` are the store's too. */
  grouped: GroupedCallsOptions;
}

export function compileStoreOptions(options: PgSplitStoreOptions): CompiledStoreOptions {
  const d = STORE_DEFAULTS;
  const workerCommit = options.workerCommit ?? d.workerCommit;
  if (!(WORKER_COMMITS as readonly unknown[]).includes(workerCommit)) {
    throw new StoreError(StoreErrorCode.INVALID_OPTIONS, `store option workerCommit must be one of ${WORKER_COMMITS.join(', ')} (got ${JSON.stringify(workerCommit)})`);
  }
  return {
    createJobBatchInputs: intOption('createJobBatchInputs', options.createJobBatchInputs ?? d.createJobBatchInputs),
    grouped: {
      batchConcurrency: intOption('batchConcurrency', options.batchConcurrency ?? d.batchConcurrency),
      overlapAt: intOption('batchOverlapAt', options.batchOverlapAt ?? d.batchOverlapAt),
      maxBatch: intOption('maxBatch', options.maxBatch ?? d.maxBatch),
      waitRetryMs: intOption('waitRetryMs', options.waitRetryMs ?? d.waitRetryMs),
      claimedInputs: intOption('claimedInputs', options.claimedInputs ?? d.claimedInputs, 0),
      synchronousCommit: workerCommit === 'async' ? 'off' : null,
    },
  };
}

/** A store option that must be a positive integer (or, with min 0, a non-negative one). */
function intOption(field: string, value: number, min: 0 | 1 = 1): number {
  if (!Number.isInteger(value) || value < min) {
    const what = min === 1 ? 'a positive integer' : 'a non-negative integer';
    throw new StoreError(StoreErrorCode.INVALID_OPTIONS, `store option ${field} must be ${what} (got ${JSON.stringify(value)})`);
  }
  return value;
}
