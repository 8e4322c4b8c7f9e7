/**
 * The worker client against a real HTTP server on 127.0.0.1 that answers each request as the test
 * scripts it (the full flow against the real worker endpoint lives in orchestrator-core's tests).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PROTOCOL_LIMITS } from '../src/protocol.js';
import { createWorkerClient, WorkerClientError, type WorkerClientOptions } from '../src/worker-client.js';

interface Seen {
  method: string | undefined;
  url: string | undefined;
  authorization: string | undefined;
  body: unknown;
}
type Answer = (req: IncomingMessage, res: ServerResponse) => void;

let server: Server;
let url: string;
let answers: Answer[] = [];
let seen: Seen[] = [];

const json = (status: number, body: unknown): Answer => (_req, res) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method, url: req.url, authorization: req.headers.authorization, body: text ? JSON.parse(text) : undefined });
      const answer = answers.shift() ?? json(500, { error: { code: 'INTERNAL', message: 'no scripted answer' } });
      answer(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  answers = [];
  seen = [];
});

const client = (extra: Partial<WorkerClientOptions> = {}) =>
  createWorkerClient({ url, token: 'job1.tm1.secretmac', timeoutMs: 2_000, retries: 3, retryBaseDelayMs: 5, retryMaxDelayMs: 20, ...extra });

async function failure(promise: Promise<unknown>): Promise<WorkerClientError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(WorkerClientError);
    return err as WorkerClientError;
  }
  throw new Error('expected a WorkerClientError');
}

const split = {
  kind: 'split',
  attemptId: 'a1',
  splitId: 's1',
  ordinal: 0,
  speculative: false,
  leaseExpiresAt: '2030-01-01T00:00:10.000Z',
  items: [{ index: 0, input: 'https://e.org/0.png' }],
};

describe('worker client', () => {
  it('claims with the bearer token and decodes dates', async () => {
    answers.push(json(200, split));
    const answer = await client().claim({ taskManagerId: 'tm1' });
    expect(answer).toEqual({ ...split, leaseExpiresAt: new Date('2030-01-01T00:00:10.000Z') });
    expect(seen).toEqual([{ method: 'POST', url: '/v1/claim', authorization: 'Bearer job1.tm1.secretmac', body: { taskManagerId: 'tm1' } }]);
  });

  it('encodes report dates as ISO strings', async () => {
    answers.push(json(200, { kind: 'ok' }));
    const startedAt = new Date('2030-01-01T00:00:00.000Z');
    await client().report({ taskManagerId: 'tm1', items: 3, errors: 1, busyMs: 10, idleMs: 2, coldStart: true, startedAt, endedAt: new Date(startedAt.getTime() + 12) });
    expect(seen[0]!.body).toMatchObject({ startedAt: '2030-01-01T00:00:00.000Z', endedAt: '2030-01-01T00:00:00.012Z' });
  });

  it('retries 5xx answers and then succeeds', async () => {
    answers.push(json(503, { error: { code: 'UNAVAILABLE', message: 'busy' } }), json(500, {}), json(200, { kind: 'continue', leaseExpiresAt: split.leaseExpiresAt }));
    const answer = await client().heartbeat({ attemptId: 'a1' });
    expect(answer.kind).toBe('continue');
    expect(seen).toHaveLength(3);
  });

  it('retries a reset connection', async () => {
    answers.push((req) => req.socket.destroy(), json(200, { kind: 'duplicate' }));
    const answer = await client().complete({ attemptId: 'a1', outcomes: [] });
    expect(answer).toEqual({ kind: 'duplicate' });
    expect(seen).toHaveLength(2);
  });

  it('retries a timed-out request', async () => {
    answers.push((_req, res) => setTimeout(() => json(200, { kind: 'done' })(_req, res), 500), json(200, { kind: 'wait', retryAfterMs: 50 }));
    const answer = await client({ timeoutMs: 100 }).claim({ taskManagerId: 'tm1' });
    expect(answer).toEqual({ kind: 'wait', retryAfterMs: 50 });
    expect(seen).toHaveLength(2);
  });

  it('gives up after its retries when nobody listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const err = await failure(client({ url: `http://127.0.0.1:${port}`, retries: 2 }).claim({ taskManagerId: 'tm1' }));
    expect(err.code).toBe('UNAVAILABLE');
    expect(err.retryable).toBe(true);
    expect(err.message).toMatch(/failed after 3 tries: .*ECONNREFUSED/);
  });

  it('does not retry 401 and says why', async () => {
    answers.push(json(401, { error: { code: 'UNAUTHORIZED', message: 'invalid token' } }));
    const err = await failure(client().claim({ taskManagerId: 'tm1' }));
    expect(err.code).toBe('UNAUTHORIZED');
    expect(err.status).toBe(401);
    expect(err.message).toContain('invalid token');
    expect(seen).toHaveLength(1);
  });

  it('does not retry 400 and carries the field issues', async () => {
    answers.push(json(400, { error: { code: 'BAD_REQUEST', message: 'invalid body', issues: [{ path: 'attemptId', message: 'must not be empty' }] } }));
    const err = await failure(client().heartbeat({ attemptId: 'a1' }));
    expect(err.code).toBe('REJECTED');
    expect(err.issues).toEqual([{ path: 'attemptId', message: 'must not be empty' }]);
    expect(err.message).toContain('attemptId must not be empty');
    expect(seen).toHaveLength(1);
  });

  it('refuses an answer that breaks the protocol', async () => {
    answers.push(json(200, { ...split, leaseExpiresAt: 'tomorrow' }));
    const err = await failure(client().claim({ taskManagerId: 'tm1' }));
    expect(err.code).toBe('INVALID_RESPONSE');
    expect(err.message).toContain('leaseExpiresAt');
  });

  it('validates before sending: exactly one of label / errorCode', async () => {
    const outcome = { index: 0, input: 'x', label: 'on', probabilities: [0.9, 0.1], errorCode: 'TIMEOUT', errorMessage: null };
    const err = await failure(client().complete({ attemptId: 'a1', outcomes: [outcome] }));
    expect(err.code).toBe('INVALID_REQUEST');
    expect(err.message).toContain('outcomes[0].label exactly one of label or errorCode');
    expect(seen).toHaveLength(0);
  });

  it('truncates long error messages before sending', async () => {
    answers.push(json(200, { kind: 'accepted', stored: 1 }));
    const outcome = { index: 0, input: 'x', label: null, probabilities: null, errorCode: 'INTERNAL', errorMessage: 'e'.repeat(5_000) };
    await client().complete({ attemptId: 'a1', outcomes: [outcome], timings: { wallMs: 5 } });
    const sent = seen[0]!.body as { outcomes: { errorMessage: string }[] };
    expect(sent.outcomes[0]!.errorMessage).toHaveLength(PROTOCOL_LIMITS.maxErrorMessageChars);
  });

  it('stops waiting when aborted', async () => {
    answers.push(json(503, {}), json(503, {}), json(503, {}));
    const controller = new AbortController();
    const pending = client({ retryBaseDelayMs: 1_000, retryMaxDelayMs: 1_000, signal: controller.signal }).claim({ taskManagerId: 'tm1' });
    setTimeout(() => controller.abort(), 50);
    const err = await failure(pending);
    expect(err.code).toBe('ABORTED');
  });

  it('refuses bad options naming the field', () => {
    expect(() => createWorkerClient({ url: 'nope', token: 't' })).toThrow('workerClient.url must be an absolute http(s) URL (got "nope")');
    expect(() => createWorkerClient({ url, token: 't', retries: -1 })).toThrow('workerClient.retries must be an integer ≥ 0 (got -1)');
  });
});
