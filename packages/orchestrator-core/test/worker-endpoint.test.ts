/**
 * The real worker endpoint on 127.0.0.1 with the real Postgres split store (a fresh database for
 * this file), driven by raw HTTP and by the real worker client.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ItemOutcome } from '@offsample/task-runtime';
import { createWorkerClient } from '@offsample/task-runtime/worker-client';
import { openTestStore, type TestStore } from '../../../test/setup/store.js';
import type { WorkerStore } from '../src/ports.js';
import { startWorkerEndpoint, type WorkerEndpoint } from '../src/worker-endpoint/server.js';
import { createJobSecret, createWorkerToken, parseWorkerToken, verifyWorkerToken } from '../src/worker-endpoint/token.js';

const BODY_LIMIT = 64 * 1024;
const secrets = new Map<string, Buffer>();
let t: TestStore;
let endpoint: WorkerEndpoint;
let failNext: Error | null = null;
let failCompleteNext: Error | null = null;
const logged: { level: string; message: string; fields?: Record<string, unknown> }[] = [];

beforeAll(async () => {
  t = await openTestStore({ waitRetryMs: 25 });
  const store = t.store;
  // The endpoint sees the store through a thin wrapper so one test can make it throw.
  const wrapped: WorkerStore = {
    claim: (...args) => (failNext ? Promise.reject(takeFailure()) : store.claim(...args)),
    heartbeat: (...args) => store.heartbeat(...args),
    complete: (...args) => {
      if (failCompleteNext === null) return store.complete(...args);
      const err = failCompleteNext;
      failCompleteNext = null;
      return Promise.reject(err);
    },
    attemptOwner: (...args) => store.attemptOwner(...args),
    report: (...args) => store.report(...args),
    giveBack: (...args) => store.giveBack(...args),
  };
  endpoint = await startWorkerEndpoint({
    store: wrapped,
    secrets: {
      secretFor: async (jobId) => {
        const job = await store.getJobWithSettings(jobId);
        return job ? Buffer.from(job.workerSecret, 'hex') : null;
      },
    },
    leaseMs: 5_000,
    bodyLimitBytes: BODY_LIMIT,
    log: (level, message, fields) => logged.push({ level, message, fields }),
  });
});

afterAll(async () => {
  await endpoint?.close();
  await t?.close();
});

function takeFailure(): Error {
  const err = failNext!;
  failNext = null;
  return err;
}

/** A fresh running job with `splits` splits of 2 inputs each; its secret kept for tokens. */
async function newJob(splits = 1): Promise<string> {
  const secret = createJobSecret();
  const jobId = await t.store.createJob({
    name: 'endpoint test',
    backend: 'local',
    splitMode: 'dynamic',
    splitSize: 2,
    numTaskManagers: 1,
    maxSplitRetries: 1,
    inputs: Array.from({ length: splits * 2 }, (_, i) => `https://e.org/${i}.png`),
    settings: {},
    workerSecret: secret.toString('hex'),
  });
  expect(await t.store.markJobRunning(jobId)).toBe(true);
  secrets.set(jobId, secret);
  return jobId;
}
const tokenFor = (jobId: string, tm: string) => createWorkerToken(secrets.get(jobId)!, jobId, tm);

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: { error?: { code: string; message: string; issues?: { path: string; message: string }[] } } & Record<string, unknown>;
  text: string;
}

/** One request with node:http (full control over headers and body). */
function raw(path: string, options: { method?: string; token?: string; body?: string | Buffer; headers?: Record<string, string> } = {}): Promise<RawAnswer> {
  const url = new URL(path, endpoint.url);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const req = httpRequest(url, { method: options.method ?? 'POST', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text ? JSON.parse(text) : {}, text });
      });
    });
    req.on('error', reject);
    if (options.body !== undefined) req.end(options.body);
    else req.end();
  });
}

const outcome = (index: number, label = 'on'): ItemOutcome => ({
  index,
  input: `https://e.org/${index}.png`,
  label,
  probabilities: [0.8, 0.2],
  errorCode: null,
  errorMessage: null,
});

beforeEach(() => {
  logged.length = 0;
});

describe('worker tokens', () => {
  it('verify with the right secret only, in any id order', () => {
    const secret = createJobSecret();
    const token = createWorkerToken(secret, 'job-a', 'tm_1');
    expect(verifyWorkerToken(secret, token)).toEqual({ jobId: 'job-a', taskManagerId: 'tm_1' });
    expect(verifyWorkerToken(createJobSecret(), token)).toBeNull();
    const [j, t, mac] = token.split('.');
    expect(verifyWorkerToken(secret, `${j}.tm_2.${mac}`)).toBeNull();
    expect(verifyWorkerToken(secret, `${t}.${j}.${mac}`)).toBeNull();
    expect(parseWorkerToken('a.b')).toBeNull();
    expect(() => createWorkerToken(secret, 'job.a', 'tm')).toThrow(/jobId/);
  });
});

describe('worker endpoint', () => {
  it('binds 127.0.0.1 by default and answers health without a token', async () => {
    expect(endpoint.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const answer = await raw('/v1/health', { method: 'GET' });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ ok: true });
  });

  it('answers 401 with a JSON body without a token', async () => {
    await newJob();
    const answer = await raw('/v1/claim', { body: JSON.stringify({ taskManagerId: 'tm1' }) });
    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toBe('Bearer');
    expect(answer.body.error).toEqual({ code: 'UNAUTHORIZED', message: 'a bearer token is required' });
  });

  it('answers 401 to a token for another job, another task manager, or an unknown job', async () => {
    const jobA = await newJob();
    const jobB = await newJob();
    const body = JSON.stringify({ taskManagerId: 'tm1' });
    // Signed with job B's secret but naming job A.
    const forged = createWorkerToken(secrets.get(jobB)!, jobA, 'tm1');
    expect((await raw('/v1/claim', { token: forged, body })).status).toBe(401);
    // A genuine token of tm2 used to claim for tm1.
    const other = await raw('/v1/claim', { token: tokenFor(jobA, 'tm2'), body });
    expect(other.status).toBe(401);
    expect(other.body.error?.message).toBe('the token was issued to another task manager');
    // A job without a secret (unknown or gone).
    expect((await raw('/v1/claim', { token: createWorkerToken(createJobSecret(), 'nojob', 'tm1'), body })).status).toBe(401);
    expect((await raw('/v1/claim', { token: 'garbage', body })).status).toBe(401);
    expect((await raw('/v1/report', { token: tokenFor(jobA, 'tm2'), body: JSON.stringify(report('tm1')) })).status).toBe(401);
  });

  it('a token that passed before is refused once its job is gone or has another secret (checked tokens are remembered)', async () => {
    const jobId = await newJob(3);
    const token = tokenFor(jobId, 'tm1');
    const body = JSON.stringify({ taskManagerId: 'tm1' });
    expect((await raw('/v1/claim', { token, body })).status).toBe(200);
    expect((await raw('/v1/claim', { token, body })).status).toBe(200);
    const setSecret = (hex: string) => t.db.pool.query('UPDATE jobs SET worker_secret = $2 WHERE id = $1', [jobId, hex]);
    await setSecret(createJobSecret().toString('hex'));
    expect((await raw('/v1/claim', { token, body })).status).toBe(401);
    await setSecret(secrets.get(jobId)!.toString('hex'));
    expect((await raw('/v1/claim', { token, body })).status).toBe(200);
    await t.db.pool.query('DELETE FROM jobs WHERE id = $1', [jobId]);
    expect((await raw('/v1/claim', { token, body })).status).toBe(401);
  });

  it('answers 400 naming the field for malformed bodies', async () => {
    const jobId = await newJob();
    const token = tokenFor(jobId, 'tm1');
    const missing = await raw('/v1/claim', { token, body: '{}' });
    expect(missing.status).toBe(400);
    expect(missing.body.error?.code).toBe('BAD_REQUEST');
    expect(missing.body.error?.issues?.[0]?.path).toBe('taskManagerId');

    const notJson = await raw('/v1/heartbeat', { token, body: '{"attemptId":' });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error?.message).toBe('body is not valid JSON');

    const both = { ...outcome(0), errorCode: 'TIMEOUT' };
    const bad = await raw('/v1/complete', { token, body: JSON.stringify({ attemptId: 'a1', outcomes: [both, { ...outcome(1), index: -1 }] }) });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.issues?.map((i) => i.path)).toEqual(expect.arrayContaining(['outcomes[0].label', 'outcomes[0].probabilities', 'outcomes[1].index']));
    expect(bad.body.error?.message).toContain('outcomes[1].index must be ≥ 0 (got -1)');

    const date = await raw('/v1/report', { token, body: JSON.stringify({ ...report('tm1'), startedAt: 'yesterday' }) });
    expect(date.status).toBe(400);
    expect(date.body.error?.issues?.[0]?.path).toBe('startedAt');
  });

  it('answers 400, never 500, to any malformed JSON body', async () => {
    const token = tokenFor(await newJob(), 'tm1');
    const garbage = ['null', '[]', '"text"', '42', '{"__proto__":{"polluted":true}}', '{"attemptId":null,"taskManagerId":7}'];
    const specific: Record<string, string[]> = {
      '/v1/claim': ['{"taskManagerId":"tm1.x"}', '{"taskManagerId":""}'],
      '/v1/heartbeat': ['{"attemptId":"a b"}'],
      '/v1/complete': [
        '{"attemptId":"a1","outcomes":"x"}',
        '{"attemptId":"a1","outcomes":[null, 3, "x"]}',
        '{"attemptId":"a1","outcomes":[{"index":"a"},{"index":0,"index2":1}]}',
      ],
      '/v1/report': ['{"taskManagerId":"tm1","items":-1,"startedAt":5,"endedAt":"2030-01-01T00:00:00Z"}'],
    };
    for (const [route, bodies] of Object.entries(specific)) {
      for (const body of [...garbage, ...bodies]) {
        const answer = await raw(route, { token, body });
        expect(answer.status, `${route} ${body}`).toBe(400);
        expect(answer.body.error?.code).toBe('BAD_REQUEST');
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('answers 413 to a body over the cap, declared or streamed', async () => {
    const jobId = await newJob();
    const token = tokenFor(jobId, 'tm1');
    const big = JSON.stringify({ taskManagerId: 'tm1', pad: 'x'.repeat(BODY_LIMIT) });
    const declared = await raw('/v1/claim', { token, body: big });
    expect(declared.status).toBe(413);
    expect(declared.body.error?.code).toBe('PAYLOAD_TOO_LARGE');
    const streamed = await raw('/v1/claim', { token, body: big, headers: { 'transfer-encoding': 'chunked' } });
    expect(streamed.status).toBe(413);
    // Through the real client: refused, not retried.
    const client = createWorkerClient({ url: endpoint.url, token, retries: 3, retryBaseDelayMs: 1 });
    const outcomes = Array.from({ length: 300 }, (_, i) => ({ ...outcome(i), label: null, probabilities: null, errorCode: 'X', errorMessage: 'm'.repeat(900) }));
    await expect(client.complete({ attemptId: 'a1', outcomes })).rejects.toMatchObject({ code: 'REJECTED', status: 413 });
  });

  it('answers 404, 405 and 415', async () => {
    const token = tokenFor(await newJob(), 'tm1');
    expect((await raw('/v2/claim', { token, body: '{}' })).status).toBe(404);
    const get = await raw('/v1/claim', { method: 'GET', token });
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    const text = await raw('/v1/claim', { token, body: 'taskManagerId=tm1', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
  });

  it('runs claim → heartbeat → complete → duplicate complete through the real client', async () => {
    const jobId = await newJob(2);
    const client = createWorkerClient({ url: endpoint.url, token: tokenFor(jobId, 'tm1'), retries: 2, retryBaseDelayMs: 5 });

    const first = await client.claim({ taskManagerId: 'tm1' });
    if (first.kind !== 'split') throw new Error(`expected a split, got ${first.kind}`);
    expect(first.leaseExpiresAt).toBeInstanceOf(Date);
    expect(first.items.map((i) => i.index)).toEqual([0, 1]);

    const beat = await client.heartbeat({ attemptId: first.attemptId });
    expect(beat.kind).toBe('continue');

    // Outcomes that do not cover the split exactly: the store refuses them, the endpoint says 400.
    await expect(client.complete({ attemptId: first.attemptId, outcomes: [outcome(0)] })).rejects.toMatchObject({ code: 'REJECTED', status: 400 });

    const outcomes = first.items.map((i) => outcome(i.index));
    expect(await client.complete({ attemptId: first.attemptId, outcomes, timings: { wallMs: 12 } })).toEqual({ kind: 'accepted', stored: 2 });
    // A retried complete (e.g. after a timeout) changes nothing.
    expect(await client.complete({ attemptId: first.attemptId, outcomes })).toEqual({ kind: 'duplicate' });
    expect(await client.heartbeat({ attemptId: first.attemptId })).toEqual({ kind: 'abandon', reason: 'SPLIT_DONE' });

    const second = await client.claim({ taskManagerId: 'tm1' });
    if (second.kind !== 'split') throw new Error('expected the second split');
    // Another TM of the same job sees the running split as not claimable: wait.
    const peer = createWorkerClient({ url: endpoint.url, token: tokenFor(jobId, 'tm2'), retries: 0 });
    expect((await peer.claim({ taskManagerId: 'tm2' })).kind).toBe('wait');
    // ...and cannot touch tm1's attempt: it looks unknown.
    expect(await peer.heartbeat({ attemptId: second.attemptId })).toEqual({ kind: 'abandon', reason: 'UNKNOWN_ATTEMPT' });
    expect(await peer.complete({ attemptId: second.attemptId, outcomes: [outcome(2), outcome(3)] })).toEqual({ kind: 'discarded', reason: 'UNKNOWN_ATTEMPT' });
    expect(logged.some((l) => l.message.includes('attempt of another task manager'))).toBe(true);

    expect((await client.complete({ attemptId: second.attemptId, outcomes: [outcome(2), outcome(3)] })).kind).toBe('accepted');
    expect(await client.claim({ taskManagerId: 'tm1' })).toEqual({ kind: 'done' });

    await client.report({ ...report('tm1'), startedAt: new Date('2030-01-01T00:00:00.000Z'), endedAt: new Date('2030-01-01T00:00:01.000Z') });
    const [row] = await t.store.listTaskManagers(jobId);
    expect(row).toMatchObject({ id: 'tm1', items: 4, busyMs: 20, idleMs: 5, coldStart: true });
    expect(row!.startedAt.toISOString()).toBe('2030-01-01T00:00:00.000Z');
  });

  it('complete with claimNext stores the outcomes, then answers the next claim in the same request', async () => {
    const jobId = await newJob(2);
    const client = createWorkerClient({ url: endpoint.url, token: tokenFor(jobId, 'tm1'), retries: 0 });
    const first = await client.claim({ taskManagerId: 'tm1' });
    if (first.kind !== 'split') throw new Error('expected a split');
    const answer = await client.complete({ attemptId: first.attemptId, outcomes: first.items.map((i) => outcome(i.index)), claimNext: true });
    expect(answer).toMatchObject({ kind: 'accepted', stored: 2, next: { kind: 'split', ordinal: 1, speculative: false } });
    if (answer.next?.kind !== 'split') throw new Error('expected the next split');
    expect(answer.next.leaseExpiresAt).toBeInstanceOf(Date);
    expect(answer.next.items.map((i) => i.index)).toEqual([2, 3]);
    const [attempt] = (await t.store.listAttempts(jobId)).filter((a) => a.attemptId === answer.next?.attemptId);
    expect(attempt).toMatchObject({ taskManagerId: 'tm1', status: 'RUNNING' });
    // The last split: nothing left to claim, so `next` says done. Without claimNext there is no `next`.
    const last = await client.complete({ attemptId: answer.next.attemptId, outcomes: answer.next.items.map((i) => outcome(i.index)), claimNext: true });
    expect(last).toEqual({ kind: 'accepted', stored: 2, next: { kind: 'done' } });
    expect(await client.complete({ attemptId: first.attemptId, outcomes: first.items.map((i) => outcome(i.index)) })).toEqual({ kind: 'duplicate' });
    // A malformed flag is refused naming the field.
    const bad = await raw('/v1/complete', { token: tokenFor(jobId, 'tm1'), body: JSON.stringify({ attemptId: first.attemptId, outcomes: [], claimNext: 'yes' }) });
    expect(bad.status).toBe(400);
    expect(bad.body.error?.issues?.map((i) => i.path)).toContain('claimNext');
  });

  it('a split claimed alongside a complete that fails is given back at once, without using up a retry', async () => {
    const jobId = await newJob(3);
    const client = createWorkerClient({ url: endpoint.url, token: tokenFor(jobId, 'tm1'), retries: 0 });
    const first = await client.claim({ taskManagerId: 'tm1' });
    if (first.kind !== 'split') throw new Error('expected a split');
    // Outcomes that do not cover the split: the store refuses the complete (400), while the claim
    // riding on it has already taken split 1. The caller never hears of that claim.
    const refused = await raw('/v1/complete', {
      token: tokenFor(jobId, 'tm1'),
      body: JSON.stringify({ attemptId: first.attemptId, outcomes: [outcome(first.items[0]!.index)], claimNext: true }),
    });
    expect(refused.status).toBe(400);
    expect(refused.body.next).toBeUndefined();
    // The store fails outright (500): the same.
    failCompleteNext = new Error('database went away');
    const failed = await raw('/v1/complete', {
      token: tokenFor(jobId, 'tm1'),
      body: JSON.stringify({ attemptId: first.attemptId, outcomes: first.items.map((i) => outcome(i.index)), claimNext: true }),
    });
    expect(failed.status).toBe(500);

    const splits = await t.store.listSplits(jobId);
    expect(splits.map((s) => [s.ordinal, s.status, s.retries])).toEqual([[0, 'RUNNING', 0], [1, 'PENDING', 0], [2, 'PENDING', 0]]);
    const givenBack = (await t.store.listAttempts(jobId)).filter((a) => a.attemptId !== first.attemptId);
    expect(givenBack).toHaveLength(2);
    for (const attempt of givenBack) {
      expect(attempt).toMatchObject({ taskManagerId: 'tm1', status: 'CANCELLED' });
      expect(attempt.error).toMatch(/given back/);
      expect(attempt.endedAt).toBeInstanceOf(Date);
    }
    // The caller retries its complete: stored, and the next claim gets split 1 again at once.
    const answer = await client.complete({ attemptId: first.attemptId, outcomes: first.items.map((i) => outcome(i.index)), claimNext: true });
    expect(answer).toMatchObject({ kind: 'accepted', stored: 2, next: { kind: 'split', ordinal: 1 } });
  });

  it('an attempt of another job looks unknown', async () => {
    const jobA = await newJob();
    const jobB = await newJob();
    const a = createWorkerClient({ url: endpoint.url, token: tokenFor(jobA, 'tm1'), retries: 0 });
    const claimed = await a.claim({ taskManagerId: 'tm1' });
    if (claimed.kind !== 'split') throw new Error('expected a split');
    const b = createWorkerClient({ url: endpoint.url, token: tokenFor(jobB, 'tm1'), retries: 0 });
    expect(await b.heartbeat({ attemptId: claimed.attemptId })).toEqual({ kind: 'abandon', reason: 'UNKNOWN_ATTEMPT' });
  });

  it('answers 500 without leaking the error, and logs it', async () => {
    const token = tokenFor(await newJob(), 'tm1');
    failNext = new Error('connection to db at 10.1.2.3 failed: password=hunter2');
    const answer = await raw('/v1/claim', { token, body: JSON.stringify({ taskManagerId: 'tm1' }) });
    expect(answer.status).toBe(500);
    expect(answer.body).toEqual({ error: { code: 'INTERNAL', message: 'internal error' } });
    expect(answer.text).not.toContain('hunter2');
    expect(logged.find((l) => l.level === 'error')?.fields?.stack).toContain('hunter2');
    // The client retries a 5xx, so a passing hiccup is invisible to the task manager.
    failNext = Object.assign(new Error('deadlock'), { retryable: true });
    const client = createWorkerClient({ url: endpoint.url, token, retries: 2, retryBaseDelayMs: 5 });
    expect((await client.claim({ taskManagerId: 'tm1' })).kind).toBe('split');
  });

  it('keeps connections alive between calls', async () => {
    const token = tokenFor(await newJob(), 'tm1');
    const answer = await raw('/v1/health', { method: 'GET', token, headers: { connection: 'keep-alive' } });
    expect(answer.headers.connection).toBe('keep-alive');
    expect(answer.headers['keep-alive']).toMatch(/timeout=30/);
  });
});

function report(taskManagerId: string) {
  return {
    taskManagerId,
    items: 4,
    errors: 0,
    splits: 2,
    busyMs: 20,
    idleMs: 5,
    coldStart: true,
    startedAt: '2030-01-01T00:00:00.000Z',
    endedAt: '2030-01-01T00:00:01.000Z',
    exitReason: 'JOB_DONE' as const,
  };
}
