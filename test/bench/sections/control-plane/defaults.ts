/**
 * Frozen defaults of the control-plane section, with units in the names and where each number
 * comes from. settings.ts lets `BENCH_CP_*` environment variables override them (for profiling
 * runs; the shared bench flags in options.ts belong to the whole bench).
 */
export const CONTROL_PLANE_DEFAULTS = Object.freeze({
  /** Issue 4 item 5: "500 simulated TMs". */
  taskManagers: 500,
  /** Small splits so the figure is about the control plane, not result volume. */
  itemsPerSplit: 10,
  /** Issue 4 item 5 target: at least 3,000 claims/s … */
  targetClaimsPerSecond: 3_000,
  /** … with p99 under 50 ms. */
  targetClaimP99Ms: 50,
  /** Issue 4 item 5 target: at least 50,000 results/s into Postgres. */
  targetResultsPerSecond: 50_000,
  /** The `sustainable` phase offers this share of the measured saturation rate: latency when the
   *  control plane is busy but not overrun. */
  sustainableShare: 0.5,
  /** Connections open, statements prepared, JIT-warm code before the window opens. */
  warmupMs: 3_000,
  /** Measured window of each claim phase (the brief: 15–20 s after warm-up). */
  measureMs: 15_000,
  /**
   * pg Pool of the endpoint's store: the product default (DATABASE_DEFAULTS.poolMax = 10), so the
   * figure is what a gateway gets out of the box. BENCH_CP_POOL_MAX tries others.
   */
  poolMax: 10,
  /**
   * How the endpoint finds a job's token secret: `cached` = the product's cachedWorkerSecrets (one
   * read per job, as the Orchestrator wires it); `store` = one getJobWithSettings per request.
   */
  secrets: 'cached' as 'store' | 'cached',
  /** `raw`: a hand-written HTTP/1.1 keep-alive connection per task manager (raw-client.ts), the
   *  least client CPU, so the shared 2 cores go to what is measured; `http`: node:http with a
   *  keep-alive agent, no client-side validation; `worker-client`: the task runtime's real client
   *  (global fetch, zod both ways). */
  client: 'raw' as 'raw' | 'http' | 'worker-client',
  /** `claim-next`: the next claim rides on each complete (`claimNext`, one request per cycle, as the
   *  task runtime's pull loop does when a split ends); `separate`: claim and complete requests. */
  protocol: 'claim-next' as 'claim-next' | 'separate',
  /** Processes the simulated task managers are spread over (each its own event loop, forked). */
  loadProcesses: 1,
  /** Lease given on claim: long enough that no lease lapses during a phase (no expiry work). */
  leaseMs: 120_000,
  /** One in this many synthetic outcomes is an error record instead of a label. */
  errorEvery: 50,
  /** Classes of the synthetic outcomes (the demo model's two). */
  labels: Object.freeze(['on-sample', 'off-sample']),
  /** Jobs are sized for this many claims/s over warm-up + window (× margin); a job that runs dry
   *  ends its phase early, and the figures say so. */
  saturationSizingClaimsPerSecond: 4_000,
  jobSizeMargin: 1.15,
  /** Result ingest: big splits (the brief: 2,000 of 500 items), a few concurrent completers. */
  ingest: Object.freeze({
    splits: 2_000,
    itemsPerSplit: 500,
    completers: 4,
    /** Each ingest measurement stops after this long even if splits remain. */
    maxMs: 15_000,
    /** The same through the worker endpoint over HTTP (JSON + zod on 500-item bodies). */
    httpSplits: 600,
  }),
});

export type SecretsMode = typeof CONTROL_PLANE_DEFAULTS.secrets;
export type ClientMode = typeof CONTROL_PLANE_DEFAULTS.client;
export type ProtocolMode = typeof CONTROL_PLANE_DEFAULTS.protocol;
