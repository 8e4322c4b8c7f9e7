/**
 * Frozen defaults and limits of a job's settings. Units are in the names; each number says where
 * it comes from ("seed" = the Python project's constants.py, whose behaviour we carry over).
 */

export const JOB_DEFAULTS = Object.freeze({
  /** Step 1 of defaults → policy → caps, for a job that leaves them unset. Seed: DEFAULT_SPLIT_SIZE = 32. */
  splitSize: 32,
  /** Seed: DEFAULT_TASK_MANAGERS = 50 (the caps step brings it down to what may run). */
  numTaskManagers: 50,
  /** Seed: DEFAULT_ORCHESTRATOR = local. */
  backend: 'local',
  /** Seed: DYNAMIC_SPLIT = True (task managers pull splits). */
  splitMode: 'dynamic',
  speculation: Object.freeze({
    /** Seed: SPECULATIVE_EXECUTION = False. */
    enabled: false,
    /** Fraction of splits done before speculating. Seed: SPECULATION_QUARTILE = 0.75. */
    quantile: 0.75,
    /** A split older than multiplier × median split time gets a copy. Seed: SPECULATION_MULTIPLIER = 2. */
    multiplier: 2,
    /** Task managers started for speculative copies (within the caps). Seed: SPECULATION_ADD_TASK_MANAGER = True, i.e. one. */
    extraTaskManagers: 1,
  }),
  keepAlive: Object.freeze({
    /** Seed: KEEP_ALIVE = True. */
    enabled: true,
    /** Seed: KEEP_ALIVE_INTERVAL = 2 (seconds). */
    intervalMs: 2_000,
  }),
  /** With heartbeats the lease is 5 heartbeat intervals (10 s by default): a TM survives a few lost beats
   *  or a GC pause, and a dead TM's split is retried within seconds. */
  leaseHeartbeats: 5,
  /** Without heartbeats the lease must outlast a whole split: 15 min, the longest a Lambda invocation runs. */
  leaseMsWithoutKeepAlive: 900_000,
  /** Seed: MAX_SPLIT_RETRIES = 1. */
  maxSplitRetries: 1,
  output: Object.freeze({
    /** Seed: results are printed unless output storage is set. */
    storage: 'print',
    /** Directory (local, relative to the orchestrator's working directory) or key prefix (s3); the job's name is appended. */
    locationPrefix: 'offsample-results',
  }),
} as const);

export const JOB_LIMITS = Object.freeze({
  /** One complete call carries a whole split; must equal task-runtime PROTOCOL_LIMITS.maxItemsPerSplit. */
  maxSplitSize: 5_000,
  /** A sanity bound, far above any cap an orchestrator would set. */
  maxTaskManagers: 10_000,
  /** Must equal task-runtime PROTOCOL_LIMITS.maxInputChars (2048: the de-facto URL limit). */
  maxInputChars: 2_048,
  /** Names appear in paths and dashboards. */
  maxNameChars: 200,
  /** Issues listed for bad inputs before "and N more" (a million bad URLs make no useful message). */
  maxInputIssues: 10,
  minKeepAliveIntervalMs: 100,
  maxKeepAliveIntervalMs: 600_000,
  minLeaseMs: 1_000,
  /** An hour: longer leases only delay the retry of a split whose task manager died. */
  maxLeaseMs: 3_600_000,
  maxSplitRetries: 100,
  maxExtraTaskManagers: 1_000,
  maxSpeculationMultiplier: 100,
} as const);
