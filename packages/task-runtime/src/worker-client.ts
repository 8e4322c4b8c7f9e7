/**
 * Worker client: the task manager's side of the worker protocol (protocol.ts).
 *
 * Transient failures (connection refused / reset, timeouts, 429 and 5xx) are retried with bounded,
 * jittered exponential back-off. That is safe for every call: heartbeat and report are idempotent,
 * and so is complete (a retried complete answers `duplicate`). A retried claim whose first answer
 * was lost leaves an attempt that nobody runs; its lease expires and the split is handed out again,
 * so the cost is one lease of delay, never lost work.
 * 401 and other 4xx answers are not retried: they raise a `WorkerClientError` naming the problem.
 * Every request is validated before it is sent and every answer after it arrives, with the same
 * schemas the endpoint uses.
 */
import { z } from 'zod';
import {
  ClaimRequestSchema,
  ClaimResponseSchema,
  CompleteRequestSchema,
  CompleteResponseSchema,
  ErrorBodySchema,
  HeartbeatRequestSchema,
  HeartbeatResponseSchema,
  PROTOCOL_LIMITS,
  ReportRequestSchema,
  ReportResponseSchema,
  WorkerRoute,
  protocolIssues,
  type ClaimRequest,
  type ClaimResponse,
  type CompleteRequest,
  type CompleteResponse,
  type HeartbeatRequest,
  type HeartbeatResponse,
  type Issue,
  type ReportRequest,
  type ReportResponse,
} from './protocol.js';

export const WORKER_CLIENT_DEFAULTS = Object.freeze({
  /** Per HTTP request. Every call is one small DB transaction on the other side; 10 s means trouble. */
  timeoutMs: 10_000,
  /** Extra tries after the first: with the delays below, ~6 s of outage is ridden out. */
  retries: 5,
  /** Back-off before retry n is base × 2^(n-1) (jittered to 50–100 %): 200, 400, 800, 1600, 2000 ms. */
  retryBaseDelayMs: 200,
  retryMaxDelayMs: 2_000,
});

export const WorkerClientErrorCode = {
  /** 401: the token is missing, wrong, or for another job / task manager. */
  UNAUTHORIZED: 'UNAUTHORIZED',
  /** 400 / 404 / 405 / 413 / 415: the endpoint refused the request as sent. */
  REJECTED: 'REJECTED',
  /** What we were about to send does not match the protocol (a bug on this side); nothing sent. */
  INVALID_REQUEST: 'INVALID_REQUEST',
  /** The answer does not match the protocol. */
  INVALID_RESPONSE: 'INVALID_RESPONSE',
  /** Still failing after every retry (network errors, timeouts, 5xx). */
  UNAVAILABLE: 'UNAVAILABLE',
  /** The caller's abort signal fired. */
  ABORTED: 'ABORTED',
} as const;
export type WorkerClientErrorCode = (typeof WorkerClientErrorCode)[keyof typeof WorkerClientErrorCode];

export class WorkerClientError extends Error {
  override readonly name = 'WorkerClientError';
  readonly code: WorkerClientErrorCode;
  readonly retryable: boolean;
  /** HTTP status of the last answer, when there was one. */
  readonly status: number | null;
  readonly issues: readonly Issue[];
  constructor(
    code: WorkerClientErrorCode,
    message: string,
    options: { retryable?: boolean; status?: number | null; issues?: Issue[]; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.status = options.status ?? null;
    this.issues = Object.freeze([...(options.issues ?? [])]);
  }
}

export interface WorkerClientOptions {
  /** Base URL of the worker endpoint, e.g. `http://127.0.0.1:41234` (routes are appended). */
  url: string;
  /** The bearer token the orchestrator gave this task manager. */
  token: string;
  timeoutMs?: number;
  retries?: number;
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  /** Defaults to the global fetch (undici, keep-alive pool). */
  fetchImpl?: typeof fetch;
  /** Aborts waits and requests in flight (the task manager is stopping). */
  signal?: AbortSignal;
}

export interface WorkerClient {
  readonly url: string;
  claim(request: ClaimRequest): Promise<ClaimResponse>;
  heartbeat(request: HeartbeatRequest): Promise<HeartbeatResponse>;
  /** Error messages longer than the protocol allows are truncated before sending. */
  complete(request: CompleteRequest): Promise<CompleteResponse>;
  report(request: ReportRequest): Promise<ReportResponse>;
}

const RETRY_STATUSES = new Set([429, 500, 502, 503, 504]);

export function createWorkerClient(options: WorkerClientOptions): WorkerClient {
  const settings = compileClientOptions(options);
  const base = settings.url.replace(/\/+$/, '');
  const fetchImpl = options.fetchImpl ?? fetch;

  async function call<Req extends z.ZodType, Res extends z.ZodType>(
    route: string,
    requestSchema: Req,
    responseSchema: Res,
    request: z.output<Req>,
  ): Promise<z.output<Res>> {
    const encoded = requestSchema.safeEncode(request);
    if (!encoded.success) {
      const issues = protocolIssues(encoded.error.issues);
      throw new WorkerClientError(WorkerClientErrorCode.INVALID_REQUEST, `${route}: request does not match the protocol: ${joinIssues(issues)}`, { issues });
    }
    const body = JSON.stringify(encoded.data);
    let lastProblem = 'no attempt made';
    let lastStatus: number | null = null;
    for (let attempt = 0; attempt <= settings.retries; attempt++) {
      if (attempt > 0) await sleep(backoffMs(attempt, settings), options.signal, route);
      throwIfAborted(options.signal, route);
      let response: Response;
      try {
        response = await fetchImpl(`${base}${route}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${settings.token}`, accept: 'application/json' },
          body,
          signal: requestSignal(settings.timeoutMs, options.signal),
        });
      } catch (err) {
        throwIfAborted(options.signal, route);
        lastProblem = describeNetworkError(err, settings.timeoutMs);
        lastStatus = null;
        continue;
      }
      let text: string;
      try {
        text = await response.text();
      } catch (err) {
        throwIfAborted(options.signal, route);
        lastProblem = `reading the answer failed: ${describeNetworkError(err, settings.timeoutMs)}`;
        lastStatus = response.status;
        continue;
      }
      if (response.ok) return decodeAnswer(route, responseSchema, response.status, text);
      lastStatus = response.status;
      lastProblem = `HTTP ${response.status}: ${errorText(text)}`;
      if (RETRY_STATUSES.has(response.status)) continue;
      throw refusal(route, response.status, text);
    }
    throw new WorkerClientError(
      WorkerClientErrorCode.UNAVAILABLE,
      `${route} failed after ${settings.retries + 1} tries: ${lastProblem}`,
      { retryable: true, status: lastStatus },
    );
  }

  return {
    url: base,
    claim: (request) => call(WorkerRoute.CLAIM, ClaimRequestSchema, ClaimResponseSchema, request),
    heartbeat: (request) => call(WorkerRoute.HEARTBEAT, HeartbeatRequestSchema, HeartbeatResponseSchema, request),
    complete: (request) => call(WorkerRoute.COMPLETE, CompleteRequestSchema, CompleteResponseSchema, truncateMessages(request)),
    report: (request) => call(WorkerRoute.REPORT, ReportRequestSchema, ReportResponseSchema, request),
  };
}

function compileClientOptions(options: WorkerClientOptions) {
  const d = WORKER_CLIENT_DEFAULTS;
  const settings = {
    url: options.url,
    token: options.token,
    timeoutMs: options.timeoutMs ?? d.timeoutMs,
    retries: options.retries ?? d.retries,
    retryBaseDelayMs: options.retryBaseDelayMs ?? d.retryBaseDelayMs,
    retryMaxDelayMs: options.retryMaxDelayMs ?? d.retryMaxDelayMs,
  };
  const bad = (field: string, rule: string, value: unknown) =>
    new WorkerClientError(WorkerClientErrorCode.INVALID_REQUEST, `workerClient.${field} ${rule} (got ${JSON.stringify(value)})`);
  let parsed: URL;
  try {
    parsed = new URL(settings.url);
  } catch {
    throw bad('url', 'must be an absolute http(s) URL', settings.url);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw bad('url', 'must be an absolute http(s) URL', settings.url);
  if (typeof settings.token !== 'string' || settings.token.length === 0 || /[\s]/.test(settings.token)) {
    throw bad('token', 'must be a non-empty string without spaces', typeof settings.token === 'string' ? '<redacted>' : settings.token);
  }
  const intAtLeast = (field: 'timeoutMs' | 'retries' | 'retryBaseDelayMs' | 'retryMaxDelayMs', min: number) => {
    const v = settings[field];
    if (!Number.isInteger(v) || v < min) throw bad(field, `must be an integer ≥ ${min}`, v);
  };
  intAtLeast('timeoutMs', 1);
  intAtLeast('retries', 0);
  intAtLeast('retryBaseDelayMs', 0);
  intAtLeast('retryMaxDelayMs', 0);
  return settings;
}

function decodeAnswer<Res extends z.ZodType>(route: string, schema: Res, status: number, text: string): z.output<Res> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new WorkerClientError(WorkerClientErrorCode.INVALID_RESPONSE, `${route}: answer is not JSON (HTTP ${status}): ${clip(text)}`, { status });
  }
  const decoded = schema.safeDecode(json as z.input<Res>);
  if (!decoded.success) {
    const issues = protocolIssues(decoded.error.issues);
    throw new WorkerClientError(WorkerClientErrorCode.INVALID_RESPONSE, `${route}: answer does not match the protocol: ${joinIssues(issues)}`, { status, issues });
  }
  return decoded.data;
}

function refusal(route: string, status: number, text: string): WorkerClientError {
  const body = parseErrorBody(text);
  const issues = body?.error.issues ?? [];
  const detail = body ? `${body.error.code}: ${body.error.message}${issues.length ? ` — ${joinIssues(issues)}` : ''}` : clip(text);
  const code = status === 401 ? WorkerClientErrorCode.UNAUTHORIZED : WorkerClientErrorCode.REJECTED;
  return new WorkerClientError(code, `${route} refused (HTTP ${status}) ${detail}`, { status, issues });
}

function parseErrorBody(text: string) {
  try {
    const parsed = ErrorBodySchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function errorText(text: string): string {
  const body = parseErrorBody(text);
  return body ? `${body.error.code}: ${body.error.message}` : clip(text);
}

function truncateMessages(request: CompleteRequest): CompleteRequest {
  const max = PROTOCOL_LIMITS.maxErrorMessageChars;
  if (!request.outcomes.some((o) => o.errorMessage !== null && o.errorMessage.length > max)) return request;
  return {
    ...request,
    outcomes: request.outcomes.map((o) =>
      o.errorMessage !== null && o.errorMessage.length > max ? { ...o, errorMessage: `${o.errorMessage.slice(0, max - 1)}…` } : o,
    ),
  };
}

function backoffMs(attempt: number, s: { retryBaseDelayMs: number; retryMaxDelayMs: number }): number {
  const ceiling = Math.min(s.retryMaxDelayMs, s.retryBaseDelayMs * 2 ** (attempt - 1));
  // Jitter so task managers that lost the endpoint together do not come back in lock-step.
  return Math.round(ceiling * (0.5 + Math.random() / 2));
}

function requestSignal(timeoutMs: number, outer: AbortSignal | undefined): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return outer ? AbortSignal.any([timeout, outer]) : timeout;
}

function throwIfAborted(signal: AbortSignal | undefined, route: string): void {
  if (signal?.aborted) throw new WorkerClientError(WorkerClientErrorCode.ABORTED, `${route} aborted`, { cause: signal.reason });
}

function sleep(ms: number, signal: AbortSignal | undefined, route: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new WorkerClientError(WorkerClientErrorCode.ABORTED, `${route} aborted`, { cause: signal.reason }));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new WorkerClientError(WorkerClientErrorCode.ABORTED, `${route} aborted`, { cause: signal?.reason }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function describeNetworkError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return `timed out after ${timeoutMs} ms`;
  if (err instanceof Error) {
    const cause = err.cause as { code?: unknown; message?: unknown } | undefined;
    const code = typeof cause?.code === 'string' ? cause.code : undefined;
    const detail = typeof cause?.message === 'string' ? cause.message : undefined;
    return [err.message, code, detail].filter(Boolean).join(': ');
  }
  return String(err);
}

function joinIssues(issues: readonly Issue[]): string {
  return issues.map((i) => `${i.path || '(body)'} ${i.message}`).join('; ');
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
