/**
 * The worker endpoint: task managers claim splits, heartbeat, complete and report over HTTP/JSON
 * (protocol v1, schemas in @offsample/task-runtime's protocol.ts). node:http, no framework.
 *
 * Every request is checked in this order, cheapest refusal first:
 *   route (404) → method (405) → bearer token (401) → content type (415) → body size (413, reading
 *   stops) → JSON (400) → zod schema (400, issues name the fields) → ownership → store.
 * A token names its job and task manager; a claim or report for another task manager is 401, and
 * an attempt of another job / task manager looks unknown (abandon / discarded UNKNOWN_ATTEMPT), so
 * nothing about other jobs leaks. Store failures answer 500 (503 when retryable) without details;
 * the stack goes to the log only. Bodies are parsed with JSON.parse and validated: nothing
 * received is evaluated.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ClaimRequestSchema,
  ClaimResponseSchema,
  CompleteRequestSchema,
  CompleteResponseSchema,
  HeartbeatRequestSchema,
  HeartbeatResponseSchema,
  ReportRequestSchema,
  ReportResponseSchema,
  WorkerRoute,
  protocolIssues,
  type ClaimResponse,
  type ClaimResponseWire,
  type CompleteResponse,
  type HeartbeatResponse,
} from '@offsample/task-runtime/protocol'; // the subpath: no onnxruntime / sharp load here
import type { z } from 'zod';
import type { ClaimResult, CompleteResult, HeartbeatResult, WorkerStore } from '../ports.js';
import { WORKER_ENDPOINT_DEFAULTS } from './defaults.js';
import { ClientGone, HttpError, readBody, sendError, sendJson } from './http.js';
import { parseWorkerToken, verifyWorkerToken } from './token.js';

/** Store error codes that mean "the request was wrong", answered 400 with the store's message. */
const CALLER_FAULT_CODES = new Set(['INVALID_OUTCOMES']);

export type EndpointLogLevel = 'debug' | 'info' | 'warn' | 'error';
/** Same shape as the task runtime's LogFn. */
export type EndpointLog = (level: EndpointLogLevel, message: string, fields?: Record<string, unknown>) => void;

export interface WorkerSecrets {
  /** The job's token secret; null when the job does not exist (or is gone): its tokens get 401. */
  secretFor(jobId: string): Promise<Buffer | null>;
}

export interface WorkerEndpointOptions {
  store: WorkerStore;
  secrets: WorkerSecrets;
  /** Lease given on claim and renewed on heartbeat: one number, or per job (its `leaseMs` option). */
  leaseMs: number | ((jobId: string) => number | Promise<number>);
  host?: string;
  port?: number;
  /** The URL task managers should use (Lambda); default `http://host:port`. */
  publicUrl?: string | null;
  bodyLimitBytes?: number;
  log?: EndpointLog;
}

export interface WorkerEndpoint {
  /** What to hand task managers: publicUrl when set, else the bound address. */
  readonly url: string;
  /** The address actually bound (differs from url behind a public address). */
  readonly localUrl: string;
  /** Stop accepting; requests in flight get a short grace period. */
  close(): Promise<void>;
}

interface Caller {
  jobId: string;
  taskManagerId: string;
}

interface Route<Req extends z.ZodType, Res extends z.ZodType> {
  request: Req;
  response: Res;
  run(caller: Caller, body: z.output<Req>): Promise<z.output<Res>>;
  /**
   * The hot routes' answers in wire form without a zod pass (~20 µs per cycle): they are built
   * here from typed store results (the compile-time proofs below), and the client decodes and
   * validates every answer. The other routes encode through their schema.
   */
  wire?: (result: z.output<Res>) => z.input<Res>;
}

/** A claim answer in wire form: the lease as an ISO string. */
function claimWire(result: ClaimResponse): ClaimResponseWire {
  return result.kind === 'split' ? { ...result, leaseExpiresAt: result.leaseExpiresAt.toISOString() } : result;
}

// Compile-time proof that the store's results are exactly what the protocol sends.
const sameClaim = (r: ClaimResult): ClaimResponse => r;
const sameHeartbeat = (r: HeartbeatResult): HeartbeatResponse => r;
const sameComplete = (r: CompleteResult): CompleteResponse => r;

export async function startWorkerEndpoint(options: WorkerEndpointOptions): Promise<WorkerEndpoint> {
  const d = WORKER_ENDPOINT_DEFAULTS;
  const host = options.host ?? d.host;
  const bodyLimitBytes = options.bodyLimitBytes ?? d.bodyLimitBytes;
  if (!Number.isInteger(bodyLimitBytes) || bodyLimitBytes < 1) throw new TypeError(`workerEndpoint.bodyLimitBytes must be an integer ≥ 1 (got ${bodyLimitBytes})`);
  const log: EndpointLog = options.log ?? (() => undefined);
  const { store, secrets } = options;
  const leaseFor = async (jobId: string) => (typeof options.leaseMs === 'number' ? options.leaseMs : options.leaseMs(jobId));

  const sameTaskManager = (caller: Caller, taskManagerId: string) => {
    if (taskManagerId !== caller.taskManagerId) {
      throw new HttpError(401, 'UNAUTHORIZED', 'the token was issued to another task manager');
    }
  };
  /** The attempt exists and belongs to the caller's job and task manager. */
  const owns = async (caller: Caller, attemptId: string) => {
    const owner = await store.attemptOwner(attemptId);
    if (owner === null) return false;
    if (owner.jobId !== caller.jobId || owner.taskManagerId !== caller.taskManagerId) {
      log('warn', 'worker endpoint: attempt of another task manager', { attemptId, caller });
      return false;
    }
    return true;
  };

  /** A claim whose answer failed goes back to its split's queue (WorkerStore.giveBack). */
  const giveBack = async (attemptId: string, why: unknown) => {
    const reason = `given back unseen: the complete it was claimed with failed (${describe(why).slice(0, 200)})`;
    try {
      await store.giveBack(attemptId, reason);
    } catch (err) {
      log('warn', 'worker endpoint: could not give back a claim; it lapses with its lease', { attemptId, error: describe(err) });
    }
  };

  const routes = new Map<string, Route<z.ZodType, z.ZodType>>();
  const add = <Req extends z.ZodType, Res extends z.ZodType>(path: string, route: Route<Req, Res>) =>
    routes.set(path, route as unknown as Route<z.ZodType, z.ZodType>);

  add(WorkerRoute.CLAIM, {
    request: ClaimRequestSchema,
    response: ClaimResponseSchema,
    run: async (caller, body) => {
      sameTaskManager(caller, body.taskManagerId);
      return sameClaim(await store.claim(caller.jobId, caller.taskManagerId, await leaseFor(caller.jobId)));
    },
    wire: claimWire,
  });
  add(WorkerRoute.HEARTBEAT, {
    request: HeartbeatRequestSchema,
    response: HeartbeatResponseSchema,
    run: async (caller, body) => {
      if (!(await owns(caller, body.attemptId))) return { kind: 'abandon', reason: 'UNKNOWN_ATTEMPT' } as const;
      return sameHeartbeat(await store.heartbeat(body.attemptId, await leaseFor(caller.jobId)));
    },
  });
  add(WorkerRoute.COMPLETE, {
    request: CompleteRequestSchema,
    response: CompleteResponseSchema,
    // The store checks the owner itself (no separate ownership read).
    // claimNext: the caller's next claim rides on this request, made while the outcomes are being
    // stored (the two share nothing but the job, so the answer waits for the slower, not the sum).
    // A 'wait' may only mean "the split being completed is still open": asked again once it is
    // stored, so the job's last complete hears 'done' as it would have in sequence. If the
    // complete fails, the answer is that error, so a split claimed alongside would never reach
    // the caller: it is given back at once (no retry used) rather than left to a lease nobody
    // renews. Should that fail too, it lapses with its lease like any claim whose answer was lost.
    run: async (caller, body) => {
      const claim = async () => sameClaim(await store.claim(caller.jobId, caller.taskManagerId, await leaseFor(caller.jobId)));
      const completing = store.complete(body.attemptId, body.outcomes, body.timings, caller);
      if (body.claimNext !== true) return sameComplete(await completing);
      const claiming = claim();
      const [completed, claimed] = await Promise.allSettled([completing, claiming]);
      if (completed.status === 'rejected') {
        if (claimed.status === 'fulfilled' && claimed.value.kind === 'split') await giveBack(claimed.value.attemptId, completed.reason);
        throw completed.reason;
      }
      if (claimed.status === 'rejected') throw claimed.reason;
      const next = claimed.value.kind === 'wait' ? await claim() : claimed.value;
      return { ...sameComplete(completed.value), next };
    },
    wire: (result) => {
      const { next, ...rest } = result;
      return next === undefined ? rest : { ...rest, next: claimWire(next) };
    },
  });
  add(WorkerRoute.REPORT, {
    request: ReportRequestSchema,
    response: ReportResponseSchema,
    run: async (caller, body) => {
      sameTaskManager(caller, body.taskManagerId);
      if (store.report) await store.report(caller.jobId, body);
      else log('debug', 'worker endpoint: report dropped (store keeps no reports)', { ...caller });
      return { kind: 'ok' } as const;
    },
  });

  /**
   * Tokens that passed, with the secret they passed against (oldest out): a task manager's next
   * request skips the HMAC. The job's secret is still looked up every time, so a token of a job
   * that is gone (or whose secret differs) is refused as before.
   */
  const checked = new Map<string, { secret: Buffer; caller: Caller }>();
  async function authenticate(header: string | undefined): Promise<Caller> {
    const unauthorized = (why: string) => new HttpError(401, 'UNAUTHORIZED', why, [], { 'www-authenticate': 'Bearer' });
    const match = header === undefined ? null : /^Bearer ([^\s]+)$/i.exec(header.trim());
    if (!match?.[1]) throw unauthorized('a bearer token is required');
    const token = match[1];
    const known = checked.get(token);
    const jobId = known?.caller.jobId ?? parseWorkerToken(token)?.jobId;
    if (jobId === undefined) throw unauthorized('malformed token');
    let secret: Buffer | null;
    try {
      secret = await secrets.secretFor(jobId);
    } catch (err) {
      log('error', 'worker endpoint: secret lookup failed', { jobId, error: describe(err) });
      throw new HttpError(503, 'UNAVAILABLE', 'try again later');
    }
    if (secret === null) throw unauthorized('invalid token');
    if (known !== undefined && known.secret.equals(secret)) return known.caller;
    const caller = verifyWorkerToken(secret, token);
    if (caller === null) throw unauthorized('invalid token');
    if (checked.size >= d.checkedTokensMax) checked.delete(checked.keys().next().value as string);
    checked.set(token, { secret, caller });
    return caller;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === WorkerRoute.HEALTH) {
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} not allowed`, [], { allow: 'GET, HEAD' });
      return sendJson(res, 200, { ok: true });
    }
    const route = routes.get(path);
    if (!route) throw new HttpError(404, 'NOT_FOUND', `no route ${path.slice(0, 100)}`);
    if (req.method !== 'POST') throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${req.method} not allowed on ${path}`, [], { allow: 'POST' });
    const caller = await authenticate(req.headers.authorization);
    const type = req.headers['content-type'];
    if (type !== undefined && !/^application\/json\s*(;|$)/i.test(type)) {
      throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'content-type must be application/json');
    }
    const raw = await readBody(req, bodyLimitBytes);
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new HttpError(400, 'BAD_REQUEST', 'body is not valid JSON');
    }
    const parsed = route.request.safeDecode(json, { reportInput: true });
    if (!parsed.success) {
      const issues = protocolIssues(parsed.error.issues);
      throw new HttpError(400, 'BAD_REQUEST', `invalid ${path} body: ${issues.map((i) => `${i.path || '(body)'} ${i.message}`).join('; ')}`, issues);
    }
    const result = await route.run(caller, parsed.data);
    if (route.wire) return sendJson(res, 200, route.wire(result));
    const encoded = route.response.safeEncode(result);
    if (!encoded.success) {
      log('error', 'worker endpoint: store answer does not match the protocol', { path, issues: protocolIssues(encoded.error.issues) });
      throw new HttpError(500, 'INTERNAL', 'internal error');
    }
    sendJson(res, 200, encoded.data);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof ClientGone) return;
      if (err instanceof HttpError) {
        if (err.status === 413) {
          // Stop reading the oversized body: answer, then close the connection.
          res.setHeader('connection', 'close');
          res.once('finish', () => req.socket.destroySoon());
        }
        return sendError(res, err);
      }
      const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
      if (typeof code === 'string' && CALLER_FAULT_CODES.has(code)) {
        // The store refused what this task manager sent (e.g. outcomes that do not match its split).
        return sendError(res, new HttpError(400, 'BAD_REQUEST', describe(err).slice(0, 500)));
      }
      const retryable = typeof err === 'object' && err !== null && (err as { retryable?: unknown }).retryable === true;
      log('error', 'worker endpoint: request failed', { path: req.url, error: describe(err), stack: err instanceof Error ? err.stack : undefined });
      sendError(res, retryable ? new HttpError(503, 'UNAVAILABLE', 'try again later') : new HttpError(500, 'INTERNAL', 'internal error'));
    });
  });
  server.keepAliveTimeout = d.keepAliveTimeoutMs;
  server.headersTimeout = d.headersTimeoutMs;
  server.requestTimeout = d.requestTimeoutMs;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? d.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const localUrl = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  const url = options.publicUrl ?? localUrl;
  log('info', 'worker endpoint listening', { url, localUrl });

  let closing: Promise<void> | null = null;
  return {
    url,
    localUrl,
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), d.closeGraceMs);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
