/** Defaults of the split store. */
export const STORE_DEFAULTS = Object.freeze({
  /** claim() → 'wait' tells the task manager to ask again after this long: short enough that a
   * speculative copy or a requeued split is picked up within about a second. */
  waitRetryMs: 1_000,
  /** createJob() sends inputs in batches of about this many (rounded to whole splits): a 1M-input
   * job is then ~50 statements of a few MB each instead of one huge parameter. */
  createJobBatchInputs: 20_000,
  /** Group commit (batcher.ts): claim and complete batches written at once, per kind. Calls that
   * arrive while a batch runs wait for the next one; two gives a backlog a second connection;
   * more only splits the same work into smaller batches on a 2-core machine (bench:
   * control-plane section). */
  batchConcurrency: 2,
  /** The second batch starts only once this many calls wait (batcher.ts `overlapAt`): below that,
   * overlapping small batches cost each statement's fixed Postgres CPU twice (bench, third pass). */
  batchOverlapAt: 32,
  /** Most calls in one batch: a complete batch of 10-item splits is then ≤ 1,280 result rows. */
  maxBatch: 128,
  /** Inputs of handed-out attempts kept so their completes skip a read (claimed-attempts.ts):
   * 500 task managers × 2 leases × 200-input splits; ~100 bytes each, ~20 MB when full. */
  claimedInputs: 200_000,
  /** How claims, completes and heartbeats commit (split-store.ts, "Commits"): 'async' does not wait
   * for the WAL flush (bench, sixth pass: claim p99 at 3,000/s down by a quarter, same CPU); 'sync'
   * leaves the server's synchronous_commit alone. */
  workerCommit: 'async' as WorkerCommit,
});

export const WORKER_COMMITS = ['async', 'sync'] as const;
export type WorkerCommit = (typeof WORKER_COMMITS)[number];
