/**
 * Frozen defaults of the CLI. Units are in the names; each number says where it comes from.
 */
export const PROGRESS_DEFAULTS = Object.freeze({
  /** TTY redraw period: 10 redraws a second reads as live without flooding a slow terminal. */
  ttyRedrawMs: 100,
  /** Not a TTY (CI logs, pipes): one line every 2 s keeps a log readable for a run of minutes. */
  plainLineMs: 2_000,
  /** img/s is averaged over the last 5 s: long enough to smooth batch bursts, short enough to follow a change. */
  rateWindowMs: 5_000,
  /** Width of the bar in characters; fits an 80-column terminal with the counters beside it. */
  barWidthChars: 24,
} as const);

export const DATASET_DEFAULTS = Object.freeze({
  /** Seed used when none is given, so two runs without --seed produce the same images. */
  seed: 1,
} as const);

export const DEMO_DEFAULTS = Object.freeze({
  /** ~500 images: a couple of seconds of work on 2 cores, enough for a meaningful img/s figure. */
  count: 500,
  /** Fixed seed: the demo's images (and so its accuracy figure) are the same on every machine. */
  seed: 42,
  /** Folder under the repository root; `.data/` is git-ignored. */
  dataDir: '.data/demo',
  /** The job runs on 4 local task managers (child processes), as the seed's local backend would. */
  taskManagers: 4,
} as const);

export const STATIC_SERVER_DEFAULTS = Object.freeze({
  /** Loopback only: the demo and the benchmark never need to be reachable from elsewhere. */
  host: '127.0.0.1',
  /** 0 = an ephemeral port chosen by the OS, so parallel tests never collide. */
  port: 0,
  /** No added latency unless asked (the benchmark adds some to imitate a remote store). */
  latencyMs: 0,
  /** Keep idle sockets 30 s: longer than a client's pause between splits, so the pool is reused. */
  keepAliveTimeoutMs: 30_000,
} as const);

export const GATEWAY_CLIENT_DEFAULTS = Object.freeze({
  /** Where `offsample serve` listens by default (the gateway's own default host and port). */
  url: 'http://127.0.0.1:4000/graphql',
  /** The gateway's inline-input cap (INPUT_DEFAULTS.maxInlineInputs); longer lists go as `inputsFrom`. */
  maxInlineInputs: 10_000,
  /**
   * Inline inputs must also fit the gateway's 4 MiB request body (GATEWAY_DEFAULTS.bodyLimitBytes);
   * 3 MiB of JSON leaves room for the rest of the mutation.
   */
  maxInlineBytes: 3 * 1024 * 1024,
  /** `results` asks for the gateway's largest page (PAGE_DEFAULTS.maxPageSize): fewest round trips. */
  resultsPageSize: 500,
  /** `status` without an id lists this many recent jobs. */
  statusJobs: 20,
} as const);

export const SERVE_DEFAULTS = Object.freeze({
  /** Next.js' customary port, beside the gateway's 4000. */
  dashboardPort: 3000,
} as const);

export const LAMBDA_DEPLOY_DEFAULTS = Object.freeze({
  /** Seed: fexec_args runtime_memory 3008 (MB); Lambda's vCPU share grows with memory. */
  memoryMb: 3_008,
  /** Lambda's maximum (s); a dynamic task manager stops claiming before its deadline anyway. */
  timeoutS: 900,
  /** Under the repository root; `.data/` is git-ignored (the zip is ~26 MB). */
  outDir: '.data/lambda',
} as const);
