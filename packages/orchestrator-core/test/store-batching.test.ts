/**
 * Group commit of claim() and complete() (store/batcher.ts): calls that arrive together share SQL
 * round trips, and each still gets exactly the answer it would get alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelled, openTestStore, type TestStore } from '../../../test/setup/store.js';
import { PgSplitStore } from '../dist/store/split-store.js';

let t: TestStore;
/** A second store on the same pool whose statements are counted by name. */
let counted: PgSplitStore;
const calls = new Map<string, number>();

beforeAll(async () => {
  t = await openTestStore({ waitRetryMs: 25 });
  const pool = new Proxy(t.db.pool, {
    get(target, key, receiver) {
      if (key === 'query') {
        return (config: { name?: string }, ...rest: unknown[]) => {
          const name = typeof config === 'object' && config !== null && typeof config.name === 'string' ? config.name.replace(/_g\d+$/, '') : 'other';
          calls.set(name, (calls.get(name) ?? 0) + 1);
          return (target.query as (...args: unknown[]) => unknown).call(target, config, ...rest);
        };
      }
      const value = Reflect.get(target, key, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  counted = new PgSplitStore({ pool, prisma: t.db.prisma }, { waitRetryMs: 25, batchConcurrency: 1 });
});
afterAll(async () => {
  await t?.close();
});

const startedJob = (n: number, splitSize: number) => t.startedJob({ inputs: n, splitSize, numTaskManagers: 4 });

describe('grouped claims', () => {
  it('40 task managers claiming 30 splits at once: each split once, lowest ordinals first, the rest wait', async () => {
    const jobId = await startedJob(300, 10);
    calls.clear();
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => counted.claim(jobId, `tm-${i}`, 60_000)));
    const splits = answers.filter((a) => a.kind === 'split');
    expect(splits).toHaveLength(30);
    expect(new Set(splits.map((s) => s.splitId)).size).toBe(30);
    expect(splits.map((s) => s.ordinal).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(answers.filter((a) => a.kind === 'wait')).toHaveLength(10);
    // Each task manager holds the attempt it was told about.
    const { rows } = await t.db.pool.query('SELECT id::text, task_manager_id FROM attempts WHERE job_id = $1', [jobId]);
    const holder = new Map(rows.map((r: { id: string; task_manager_id: string }) => [r.id, r.task_manager_id]));
    answers.forEach((a, i) => {
      if (a.kind === 'split') expect(holder.get(a.attemptId)).toBe(`tm-${i}`);
    });
    // Far fewer statements than calls: the first claim runs alone, the other 39 share one batch.
    expect(calls.get('offsample_claim_many')).toBeLessThanOrEqual(2);
  });

  it('claims of two jobs in one moment never take each other’s splits', async () => {
    const [a, b] = await Promise.all([startedJob(40, 10), startedJob(40, 10)]);
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => counted.claim(i % 2 === 0 ? a : b, `tm-${i}`, 60_000)));
    const { rows } = await t.db.pool.query('SELECT id::text, job_id::text FROM splits WHERE job_id = ANY($1::uuid[])', [[a, b]]);
    const jobOf = new Map(rows.map((r: { id: string; job_id: string }) => [r.id, r.job_id]));
    answers.forEach((answer, i) => {
      expect(answer.kind).toBe('split');
      if (answer.kind === 'split') expect(jobOf.get(answer.splitId)).toBe(i % 2 === 0 ? a : b);
    });
  });
});

describe('grouped completes', () => {
  it('a batch mixing good, duplicate, foreign, unknown and malformed reports answers each on its own', async () => {
    const jobId = await startedJob(60, 10);
    const claims = await Promise.all(Array.from({ length: 6 }, (_, i) => t.store.claim(jobId, `tm-${i}`, 60_000)));
    const [c0, c1, c2, c3, c4, c5] = claims.map((c) => {
      if (c.kind !== 'split') throw new Error('expected a split');
      return c;
    });
    calls.clear();
    const owner = (tm: string) => ({ jobId, taskManagerId: tm });
    const settled = await Promise.allSettled([
      counted.complete(c0!.attemptId, labelled(c0!.items), { wallMs: 5 }, owner('tm-0')),
      counted.complete(c1!.attemptId, labelled(c1!.items), undefined, owner('tm-1')),
      counted.complete(c1!.attemptId, labelled(c1!.items), undefined, owner('tm-1')),
      counted.complete(c2!.attemptId, labelled(c2!.items), undefined, owner('tm-9')),
      counted.complete('00000000-0000-4000-8000-000000000000', labelled(c3!.items)),
      counted.complete(c3!.attemptId, labelled(c3!.items).slice(1), undefined, owner('tm-3')),
      counted.complete(c4!.attemptId, [...labelled(c4!.items.slice(0, 9)), { ...c4!.items[9]!, label: null, probabilities: null, errorCode: 'NOT_FOUND', errorMessage: 'HTTP 404' }]),
      counted.complete(c5!.attemptId, labelled(c5!.items), undefined, { jobId: '11111111-1111-4111-8111-111111111111', taskManagerId: 'tm-5' }),
    ]);
    const values = settled.map((s) => (s.status === 'fulfilled' ? s.value : { rejected: (s.reason as { code?: string }).code }));
    expect(values[0]).toEqual({ kind: 'accepted', stored: 10 });
    expect([values[1], values[2]].map((v) => JSON.stringify(v)).sort()).toEqual([JSON.stringify({ kind: 'accepted', stored: 10 }), JSON.stringify({ kind: 'duplicate' })]);
    expect(values[3]).toEqual({ kind: 'discarded', reason: 'UNKNOWN_ATTEMPT' });
    expect(values[4]).toEqual({ kind: 'discarded', reason: 'UNKNOWN_ATTEMPT' });
    expect(values[5]).toEqual({ rejected: 'INVALID_OUTCOMES' });
    expect(values[6]).toEqual({ kind: 'accepted', stored: 10 });
    expect(values[7]).toEqual({ kind: 'discarded', reason: 'UNKNOWN_ATTEMPT' });
    expect(calls.get('offsample_complete_many_unguarded')).toBeLessThanOrEqual(2);
    // The repeated report's rows are never inserted (rows join their report, not its attempt):
    // no conflict, so no second run with the conflict clause.
    expect(calls.get('offsample_complete_many')).toBeUndefined();

    const job = await t.store.getJob(jobId);
    expect(job?.doneCount).toBe(29);
    expect(job?.errorCount).toBe(1);
    const { rows } = await t.db.pool.query(
      "SELECT s.ordinal, s.status::text, (SELECT count(*)::int FROM results r WHERE r.split_id = s.id) AS results FROM splits s WHERE s.job_id = $1 AND s.ordinal < 6 ORDER BY s.ordinal",
      [jobId],
    );
    const byOrdinal = new Map(rows.map((r: { ordinal: number; status: string; results: number }) => [r.ordinal, r]));
    for (const c of [c0!, c1!, c4!]) expect(byOrdinal.get(c.ordinal)).toMatchObject({ status: 'DONE', results: 10 });
    for (const c of [c2!, c3!, c5!]) expect(byOrdinal.get(c.ordinal)).toMatchObject({ status: 'RUNNING', results: 0 });
    const attempts = await t.db.pool.query('SELECT id::text, status::text, item_count, timings FROM attempts WHERE id = $1', [c0!.attemptId]);
    expect(attempts.rows[0]).toMatchObject({ status: 'SUCCEEDED', item_count: 10, timings: { wallMs: 5 } });
  });

  it('an original and its speculative copy completing in one batch: one wins, the other is told SPLIT_DONE', async () => {
    const jobId = await startedJob(10, 10);
    const a = await t.store.claim(jobId, 'tm-a', 60_000);
    if (a.kind !== 'split') throw new Error('expected a split');
    await t.store.addSpeculativeAttempt(a.splitId);
    const b = await t.store.claim(jobId, 'tm-b', 60_000);
    if (b.kind !== 'split') throw new Error('expected a split');
    expect(b.speculative).toBe(true);
    const [x, y, z] = await Promise.all([
      counted.complete(a.attemptId, labelled(a.items)), // runs alone (batch concurrency 1)
      counted.complete(b.attemptId, labelled(b.items)),
      counted.complete(a.attemptId, labelled(a.items)),
    ]);
    expect(x).toEqual({ kind: 'accepted', stored: 10 });
    expect(y).toEqual({ kind: 'discarded', reason: 'SPLIT_DONE' });
    expect(z).toEqual({ kind: 'duplicate' });
    const { rows } = await t.db.pool.query('SELECT status::text FROM attempts WHERE id = $1', [b.attemptId]);
    expect(rows[0].status).toBe('CANCELLED');
  });
});

describe('completes of attempts this store handed out (claimed-attempts.ts)', () => {
  it('skip the lookup read, and still answer foreign, malformed, repeated and late reports as alone', async () => {
    const jobId = await startedJob(40, 10);
    const claims = await Promise.all(['tm-a', 'tm-b', 'tm-c'].map((tm) => counted.claim(jobId, tm, 60_000)));
    const [a, b, c] = claims.map((claim) => {
      if (claim.kind !== 'split') throw new Error('expected a split');
      return claim;
    });
    calls.clear();
    const owner = (tm: string) => ({ jobId, taskManagerId: tm });
    // Another task manager presenting a's attempt is told it is unknown; a itself is still known.
    expect(await counted.complete(a!.attemptId, labelled(a!.items), undefined, owner('tm-b'))).toEqual({ kind: 'discarded', reason: 'UNKNOWN_ATTEMPT' });
    await expect(counted.complete(b!.attemptId, labelled(b!.items).slice(2), undefined, owner('tm-b'))).rejects.toMatchObject({ code: 'INVALID_OUTCOMES' });
    expect(calls.get('offsample_complete_lookup_many')).toBeUndefined();
    expect(await counted.complete(a!.attemptId, labelled(a!.items), undefined, owner('tm-a'))).toEqual({ kind: 'accepted', stored: 10 });
    // The corrected report of b is accepted; none of these needed the read.
    expect(await counted.complete(b!.attemptId, labelled(b!.items), undefined, owner('tm-b'))).toEqual({ kind: 'accepted', stored: 10 });
    expect(calls.get('offsample_complete_lookup_many')).toBeUndefined();
    // Answered attempts are forgotten: a retried report is looked up and told duplicate.
    expect(await counted.complete(a!.attemptId, labelled(a!.items), undefined, owner('tm-a'))).toEqual({ kind: 'duplicate' });
    expect(calls.get('offsample_complete_lookup_many')).toBe(1);
    // c's split is completed by a speculative copy first: c's late report is discarded as alone.
    await t.store.addSpeculativeAttempt(c!.splitId);
    const rest = await Promise.all(Array.from({ length: 2 }, (_, i) => counted.claim(jobId, `tm-s${i}`, 60_000)));
    const copy = rest.find((r) => r.kind === 'split' && r.speculative);
    if (copy?.kind !== 'split') throw new Error('expected the speculative copy');
    expect(await counted.complete(copy.attemptId, labelled(copy.items))).toEqual({ kind: 'accepted', stored: 10 });
    expect(await counted.complete(c!.attemptId, labelled(c!.items), undefined, owner('tm-c'))).toEqual({ kind: 'discarded', reason: 'SPLIT_DONE' });
    const job = await t.store.getJob(jobId);
    expect(job?.doneCount).toBe(30);
  });

  it('with claimedInputs 0 every complete is looked up, with the same answers', async () => {
    const uncached = new PgSplitStore({ pool: t.db.pool, prisma: t.db.prisma }, { claimedInputs: 0 });
    const jobId = await startedJob(20, 10);
    const a = await uncached.claim(jobId, 'tm-a', 60_000);
    if (a.kind !== 'split') throw new Error('expected a split');
    expect(await uncached.complete(a.attemptId, labelled(a.items), undefined, { jobId, taskManagerId: 'tm-x' })).toEqual({ kind: 'discarded', reason: 'UNKNOWN_ATTEMPT' });
    expect(await uncached.complete(a.attemptId, labelled(a.items), undefined, { jobId, taskManagerId: 'tm-a' })).toEqual({ kind: 'accepted', stored: 10 });
    expect(await uncached.complete(a.attemptId, labelled(a.items))).toEqual({ kind: 'duplicate' });
    expect(() => new PgSplitStore({ pool: t.db.pool, prisma: t.db.prisma }, { claimedInputs: -1 })).toThrow(/claimedInputs/);
    expect(() => new PgSplitStore({ pool: t.db.pool, prisma: t.db.prisma }, { batchOverlapAt: 0 })).toThrow(/batchOverlapAt must be a positive integer/);
  });
});
