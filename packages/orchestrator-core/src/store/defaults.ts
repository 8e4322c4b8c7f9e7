/** Defaults of the split store. */
export const STORE_DEFAULTS = Object.freeze({
  /** claim() → 'wait' tells the task manager to ask again after this long: short enough that a
   * speculative copy or a requeued split is picked up within about a second. */
  waitRetryMs: 1_000,
  /** createJob() sends inputs in batches of about this many (rounded to whole splits): a 1M-input
   * job is then ~50 statements of a few MB each instead of one huge parameter. */
  createJobBatchInputs: 20_000,
});
