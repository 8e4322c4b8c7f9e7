/**
 * Frozen defaults for the gateway. Units are in the names; each number says where it comes from.
 */
export const GATEWAY_DEFAULTS = Object.freeze({
  /** Loopback only unless told otherwise: the API token is optional, so exposure must be a choice. */
  host: '127.0.0.1',
  /** 4000 is the customary GraphQL port; 0 picks a free one (tests). */
  port: 4000,
  /**
   * HTTP body cap: 4 MiB holds the inline-input cap (10,000 inputs) at ~400 bytes per URL; bigger
   * lists belong in `inputsFrom`. The same cap bounds one graphql-ws message.
   */
  bodyLimitBytes: 4 * 1024 * 1024,
  /**
   * Query depth cap. The deepest useful query (jobs → edges → node → progress → stuckSplits → field)
   * is 6 levels; 10 leaves room for fragments while refusing runaway nesting through Split.job.
   * Introspection fields (`__schema`, `__type`) are not counted so GraphiQL and codegen keep working.
   */
  maxQueryDepth: 10,
  /** `jobProgress` polls the orchestrator at least this often while a job runs (the issue: ≥ 1 event/s). */
  progressIntervalMs: 1000,
  /** Close the server within this long on `close()`, cutting idle keep-alive sockets. */
  shutdownGraceMs: 5000,
} as const);

export const PAGE_DEFAULTS = Object.freeze({
  /** Largest `first` accepted by any connection: bounds one response (500 results ≈ 100 KB of JSON). */
  maxPageSize: 500,
  jobsPageSize: 20,
  resultsPageSize: 100,
} as const);

export const INPUT_DEFAULTS = Object.freeze({
  /** Inline `inputs` cap; larger jobs pass `inputsFrom` (a file or URL with one input per line). */
  maxInlineInputs: 10_000,
  /** One input is a URL or an object key: S3 keys are at most 1,024 bytes, URLs rarely longer than 2 KB. */
  maxInputLength: 2048,
  /** Cap on inputs read from `inputsFrom`: a million inputs is far beyond one job of the seed. */
  maxInputsFromCount: 1_000_000,
  /** Cap on the bytes read from `inputsFrom` (a million 2 KB lines would be 2 GB; 256 MiB is plenty). */
  maxInputsFromBytes: 256 * 1024 * 1024,
  /** Timeout for fetching an `inputsFrom` URL. */
  inputsFromTimeoutMs: 30_000,
  maxNameLength: 200,
} as const);
