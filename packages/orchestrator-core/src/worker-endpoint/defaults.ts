/** Frozen defaults of the worker endpoint; units in the names, and why each number. */
export const WORKER_ENDPOINT_DEFAULTS = Object.freeze({
  /** Loopback only unless configured: Lambda task managers need `publicUrl` and a reachable host. */
  host: '127.0.0.1',
  /** 0 = an ephemeral port chosen by the OS (tests, several gateways on one machine). */
  port: 0,
  /**
   * One complete call carries a whole split: 5 000 outcomes (the protocol's split limit) × ~3.3 KB
   * worst case (2 KB input + 1 KB error message + numbers) ≈ 16.5 MB; 32 MiB leaves room.
   */
  bodyLimitBytes: 32 * 1024 * 1024,
  /** Longer than the task runtime's default heartbeat interval (2 s) so idle TM connections are reused. */
  keepAliveTimeoutMs: 30_000,
  /** Node wants headersTimeout > keepAliveTimeout. */
  headersTimeoutMs: 35_000,
  /** Whole request including a 32 MiB body on a slow Lambda link. */
  requestTimeoutMs: 60_000,
  /** close() lets requests in flight finish for this long before cutting connections. */
  closeGraceMs: 2_000,
  /** Tokens remembered as checked (a task manager sends the same one on every request, and its
   *  HMAC is the costliest step of a cheap request): 4× the 500 task managers the bench runs. */
  checkedTokensMax: 2_000,
} as const);
