import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestStore, type TestStore } from '../../../test/setup/store.js';
import type { ItemOutcome, WorkItem } from '../dist/ports.js';
import type { JobSpec } from '../dist/store/types.js';

let t: TestStore;
beforeAll(async () => {
  t = await openTestStore({ waitRetryMs: 25 });
});
afterAll(async () => {
  await t?.close();
});

function spec(n: number, overrides: Partial<JobSpec> = {}): JobSpec {
  return {
    name: 'test job',
    backend: 'local',
    splitMode: 'dynamic',
    splitSize: 10,
    numTaskManagers: 2,
    maxSplitRetries: 2,
    inputs: Array.from({ length: n }, (_, i) => `https://images.example/${i}.png`),
    settings: { speculation: { enabled: false } },
    ...overrides,
  };
}

/** Every item labelled, except indices divisible by 7 which get an error. */
function outcomesFor(items: WorkItem[]): ItemOutcome[] {
  return items.map((item) =>
    item.index % 7 === 0
      ? { ...item, label: null, probabilities: null, errorCode: 'HTTP_404', errorMessage: 'not found', fetchMs: 3 }
      : { ...item, label: 'on-sample', probabilities: [0.25, 0.75], errorCode: null, errorMessage: null, fetchMs: 2, preprocessMs: 1, inferMs: 4 },
  );
}

async function startedJob(n: number, overrides: Partial<JobSpec> = {}): Promise<string> {
  const jobId = await t.store.createJob(spec(n, overrides));
  expect(await t.store.markJobRunning(jobId)).toBe(true);
  return jobId;
}

async function claimSplit(jobId: string, tm: string, leaseMs = 60_000) {
  const claim = await t.store.claim(jobId, tm, leaseMs);
  if (claim.kind !== 'split') throw new Error(`expected a split, got ${JSON.stringify(claim)}`);
  return claim;
}

async function resultRows(jobId: string): Promise<Array<{ input_index: number; input: string; label: string | null; error_code: string | null }>> {
  const { rows } = await t.db.pool.query('SELECT input_index, input, label, error_code FROM results WHERE job_id = $1 ORDER BY input_index', [jobId]);
  return rows;
}

describe('createJob', () => {
  it('cuts the inputs into splits: split k holds inputs k*size .. in order, the last one shorter', async () => {
    const jobId = await t.store.createJob(spec(25));
    const splits = await t.store.listSplits(jobId);
    expect(splits.map((s) => [s.ordinal, s.firstIndex, s.size, s.status])).toEqual([
      [0, 0, 10, 'PENDING'],
      [1, 10, 10, 'PENDING'],
      [2, 20, 5, 'PENDING'],
    ]);
    const job = await t.store.getJob(jobId);
    expect(job).toMatchObject({ status: 'QUEUED', numSplits: 3, totalInputs: 25, splitMode: 'dynamic', doneCount: 0, errorCount: 0 });
    const withSettings = await t.store.getJobWithSettings(jobId);
    expect(withSettings?.settings).toEqual({ speculation: { enabled: false } });
    expect(withSettings?.workerSecret).toMatch(/^[0-9a-f]{64}$/);
  });

  it('batches large jobs on split boundaries without losing or reordering an input', async () => {
    const small = await openTestStore({ createJobBatchInputs: 700 }); // → 699: whole splits of 3
    try {
      const n = 20_000;
      const jobId = await small.store.createJob(spec(n, { splitSize: 3 }));
      const { rows } = await small.db.pool.query(
        `SELECT count(*)::int AS splits, sum(cardinality(inputs))::int AS inputs,
                bool_and(first_index = ordinal * 3) AS boundaries,
                bool_and(NOT EXISTS (SELECT 1 FROM unnest(inputs) WITH ORDINALITY u(input, i)
                                     WHERE u.input <> 'https://images.example/' || (first_index + u.i - 1) || '.png')) AS ordered
         FROM splits WHERE job_id = $1`,
        [jobId],
      );
      expect(rows[0]).toEqual({ splits: Math.ceil(n / 3), inputs: n, boundaries: true, ordered: true });
    } finally {
      await small.close();
    }
  });

  it('refuses an impossible spec, naming the field and value', async () => {
    await expect(t.store.createJob(spec(5, { splitSize: 0 }))).rejects.toMatchObject({
      code: 'INVALID_JOB_SPEC',
      message: expect.stringMatching(/job\.splitSize .*\(got 0\)/),
    });
    await expect(t.store.createJob(spec(5, { inputs: ['a', 3 as unknown as string] }))).rejects.toMatchObject({ code: 'INVALID_JOB_SPEC' });
  });
});

describe('claim, heartbeat, complete', () => {
  it('waits while the job is queued, and answers done for an unknown job', async () => {
    const jobId = await t.store.createJob(spec(5));
    expect(await t.store.claim(jobId, 'tm-a', 1000)).toEqual({ kind: 'wait', retryAfterMs: 25 });
    expect(await t.store.claim('00000000-0000-4000-8000-000000000000', 'tm-a', 1000)).toEqual({ kind: 'done' });
    expect(await t.store.claim('not-a-uuid', 'tm-a', 1000)).toEqual({ kind: 'done' });
  });

  it('runs a job to the end: splits in order, results stored, retried completions are duplicates', async () => {
    const jobId = await startedJob(25);
    const first = await claimSplit(jobId, 'tm-a');
    expect(first).toMatchObject({ ordinal: 0, speculative: false });
    expect(first.items[0]).toEqual({ index: 0, input: 'https://images.example/0.png' });
    expect(first.leaseExpiresAt.getTime()).toBeGreaterThan(Date.now() + 30_000);
    expect(await t.store.attemptOwner(first.attemptId)).toEqual({ jobId, taskManagerId: 'tm-a' });

    const beat = await t.store.heartbeat(first.attemptId, 120_000);
    expect(beat.kind).toBe('continue');
    if (beat.kind === 'continue') expect(beat.leaseExpiresAt.getTime()).toBeGreaterThan(first.leaseExpiresAt.getTime());

    expect(await t.store.complete(first.attemptId, outcomesFor(first.items), { wallMs: 5 })).toEqual({ kind: 'accepted', stored: 10 });
    expect(await t.store.complete(first.attemptId, outcomesFor(first.items))).toEqual({ kind: 'duplicate' });
    expect(await t.store.complete(first.attemptId.toUpperCase(), outcomesFor(first.items))).toEqual({ kind: 'duplicate' });
    expect(await t.store.heartbeat(first.attemptId, 1000)).toEqual({ kind: 'abandon', reason: 'SPLIT_DONE' });
    expect(await t.store.finishJobIfComplete(jobId)).toBeNull();

    for (const ordinal of [1, 2]) {
      const claim = await claimSplit(jobId, 'tm-b');
      expect(claim.ordinal).toBe(ordinal);
      expect((await t.store.complete(claim.attemptId, outcomesFor(claim.items))).kind).toBe('accepted');
    }
    expect(await t.store.claim(jobId, 'tm-a', 1000)).toEqual({ kind: 'done' });
    expect(await t.store.finishJobIfComplete(jobId)).toBe('SUCCEEDED');
    expect(await t.store.finishJobIfComplete(jobId)).toBeNull();

    const rows = await resultRows(jobId);
    expect(rows.map((r) => r.input_index)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    // Each result keeps the input it was reported for (checked against the split's).
    expect(rows.map((r) => r.input)).toEqual(Array.from({ length: 25 }, (_, i) => `https://images.example/${i}.png`));
    const errors = rows.filter((r) => r.error_code === 'HTTP_404').map((r) => r.input_index);
    expect(errors).toEqual([0, 7, 14, 21]);
    const job = await t.store.getJob(jobId);
    expect(job).toMatchObject({ status: 'SUCCEEDED', doneCount: 21, errorCount: 4, error: null });
    expect(job?.endedAt).toBeInstanceOf(Date);

    const page = await t.store.listResults(jobId, { afterIndex: 5, limit: 3 });
    expect(page.map((r) => r.inputIndex)).toEqual([6, 7, 8]);
    expect(page[0]).toMatchObject({ label: 'on-sample', probabilities: [0.25, 0.75], fetchMs: 2, preprocessMs: 1, inferMs: 4 });
    expect(page[1]).toMatchObject({
      label: null, probabilities: null, errorCode: 'HTTP_404', errorMessage: 'not found', fetchMs: 3, preprocessMs: null, inferMs: null,
    });
    expect((await t.store.listResults(jobId, { errors: true })).map((r) => r.inputIndex)).toEqual([0, 7, 14, 21]);
    expect((await t.store.listResults(jobId, { errorCode: 'HTTP_404', afterIndex: 7 })).map((r) => r.inputIndex)).toEqual([14, 21]);
    expect((await t.store.listResults(jobId, { errors: false, limit: 1000 })).length).toBe(21);

    const attempts = await t.store.listAttempts(jobId);
    expect(attempts.map((a) => a.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
    const { rows: timings } = await t.db.pool.query('SELECT timings FROM attempts WHERE id = $1', [first.attemptId]);
    expect(timings[0].timings).toEqual({ wallMs: 5 });
  });

  it('refuses a report that does not cover the split exactly once, and stores nothing', async () => {
    const jobId = await startedJob(10, { splitSize: 5 });
    const claim = await claimSplit(jobId, 'tm-a');
    const good = outcomesFor(claim.items);
    const bad: Array<[string, ItemOutcome[], RegExp]> = [
      ['missing', good.slice(1), /5 inputs but 4 outcomes/],
      ['duplicate', [...good.slice(0, 4), good[0]!], /index 0: index reported twice/],
      ['foreign', [...good.slice(0, 4), { ...good[4]!, index: 7 }], /index 7: index is not in this split \(0\.\.4\)/],
      ['wrong input', [{ ...good[0]!, input: 'https://evil.example/x' }, ...good.slice(1)], /is not the split's input/],
      ['both', [{ ...good[1]!, errorCode: 'X' }, good[0]!, ...good.slice(2)], /exactly one of label and errorCode/],
      ['neither', [{ ...good[1]!, label: null }, good[0]!, ...good.slice(2)], /exactly one of label and errorCode/],
      ['nan', [{ ...good[1]!, probabilities: [Number.NaN, 1] }, good[0]!, ...good.slice(2)], /finite numbers/],
    ];
    for (const [what, outcomes, message] of bad) {
      await expect(t.store.complete(claim.attemptId, outcomes), what).rejects.toMatchObject({ code: 'INVALID_OUTCOMES', message: expect.stringMatching(message) });
    }
    expect(await resultRows(jobId)).toEqual([]);
    expect((await t.store.heartbeat(claim.attemptId, 1000)).kind).toBe('continue');
    expect(await t.store.complete(claim.attemptId, good)).toEqual({ kind: 'accepted', stored: 5 });
  });

  it('keeps a record an input already has: the batch runs again with its conflict clause', async () => {
    const jobId = await startedJob(10);
    const claim = await claimSplit(jobId, 'tm-a');
    // No store path does this today (the clause is a guard): input 3 gets a record before its split closes.
    await t.db.pool.query(
      `INSERT INTO results (job_id, input_index, input, error_code, error_message) VALUES ($1, 3, $2, 'CANCELLED', 'raced')`,
      [jobId, claim.items[3]!.input],
    );
    expect(await t.store.complete(claim.attemptId, outcomesFor(claim.items))).toEqual({ kind: 'accepted', stored: 9 });
    const rows = await resultRows(jobId);
    expect(rows.map((r) => r.input_index)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(rows[3]).toMatchObject({ label: null, error_code: 'CANCELLED' });
    // Counted are the 9 rows this complete stored: 0 and 7 are errors.
    expect(await t.store.getJob(jobId)).toMatchObject({ doneCount: 7, errorCount: 2 });
  });

  it('treats ids it does not know as unknown attempts', async () => {
    const unknown = '00000000-0000-4000-8000-000000000001';
    expect(await t.store.heartbeat(unknown, 1000)).toEqual({ kind: 'abandon', reason: 'UNKNOWN_ATTEMPT' });
    expect(await t.store.heartbeat('../../etc', 1000)).toEqual({ kind: 'abandon', reason: 'UNKNOWN_ATTEMPT' });
    expect(await t.store.complete(unknown, [])).toEqual({ kind: 'discarded', reason: 'UNKNOWN_ATTEMPT' });
    expect(await t.store.attemptOwner(unknown)).toBeNull();
  });
});

describe('cancel and fail', () => {
  it('cancels a running job: attempts cancelled, every unfinished input gets a CANCELLED record', async () => {
    const jobId = await startedJob(30);
    const done = await claimSplit(jobId, 'tm-a');
    await t.store.complete(done.attemptId, outcomesFor(done.items));
    const running = await claimSplit(jobId, 'tm-b');

    expect(await t.store.cancelJob(jobId, 'cancelled by test')).toEqual({ changed: true, cancelledAttempts: 1, failedSplits: 2, errorRecords: 20 });
    expect(await t.store.heartbeat(running.attemptId, 1000)).toEqual({ kind: 'abandon', reason: 'JOB_CANCELLED' });
    expect(await t.store.complete(running.attemptId, outcomesFor(running.items))).toEqual({ kind: 'discarded', reason: 'JOB_CANCELLED' });
    expect(await t.store.claim(jobId, 'tm-c', 1000)).toEqual({ kind: 'done' });
    expect(await t.store.cancelJob(jobId)).toEqual({ changed: false, cancelledAttempts: 0, failedSplits: 0, errorRecords: 0 });

    const rows = await resultRows(jobId);
    expect(rows.map((r) => r.input_index)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(rows.filter((r) => r.error_code === 'CANCELLED').map((r) => r.input_index)).toEqual(Array.from({ length: 20 }, (_, i) => i + 10));
    const job = await t.store.getJob(jobId);
    expect(job).toMatchObject({ status: 'CANCELLED', error: 'cancelled by test', doneCount: 8, errorCount: 22 });
    const [cancelled] = await t.store.listResults(jobId, { errorCode: 'CANCELLED', limit: 1 });
    expect(cancelled?.errorMessage).toBe('cancelled by test');
  });

  it('cancels a queued job and fails a job with JOB_FAILED records', async () => {
    const queued = await t.store.createJob(spec(4));
    expect((await t.store.cancelJob(queued)).errorRecords).toBe(4);
    expect(await t.store.markJobRunning(queued)).toBe(false);

    const failing = await startedJob(12);
    expect(await t.store.failJob(failing, 'no task manager could be started')).toMatchObject({ changed: true, errorRecords: 12 });
    const job = await t.store.getJob(failing);
    expect(job).toMatchObject({ status: 'FAILED', errorCount: 12, error: 'no task manager could be started' });
    expect((await t.store.listResults(failing, { errorCode: 'JOB_FAILED', limit: 100 })).length).toBe(12);
  });
});

describe('deleting a job', () => {
  it('deletes its splits, attempts and results (attempts and results carry no foreign key: a statement trigger)', async () => {
    const jobId = await startedJob(20);
    const other = await startedJob(10);
    const a = await claimSplit(jobId, 'tm-del');
    await t.store.complete(a.attemptId, outcomesFor(a.items));
    await claimSplit(jobId, 'tm-del');
    const o = await claimSplit(other, 'tm-del');
    await t.store.complete(o.attemptId, outcomesFor(o.items));
    const counts = async (id: string) => (await t.db.pool.query(
      `SELECT (SELECT count(*) FROM splits WHERE job_id = $1)::int AS splits, (SELECT count(*) FROM attempts WHERE job_id = $1)::int AS attempts,
              (SELECT count(*) FROM results WHERE job_id = $1)::int AS results`, [id])).rows[0];
    expect(await counts(jobId)).toEqual({ splits: 2, attempts: 2, results: 10 });
    await t.db.pool.query('DELETE FROM jobs WHERE id = $1', [jobId]);
    expect(await counts(jobId)).toEqual({ splits: 0, attempts: 0, results: 0 });
    expect(await counts(other)).toEqual({ splits: 1, attempts: 1, results: 10 });
  });
});

describe('progress and task managers', () => {
  it('reports counts, running attempts with lease times, errors by code, and live task managers', async () => {
    const jobId = await startedJob(30);
    await t.store.createTaskManager({ id: `${jobId}-tm-a`, jobId, backend: 'local' });
    await t.store.createTaskManager({ id: `${jobId}-tm-b`, jobId, backend: 'local' });
    expect(await t.store.markTaskManagerRunning(`${jobId}-tm-a`)).toBe(true);
    expect(await t.store.markTaskManagerRunning(`${jobId}-tm-a`)).toBe(false);
    const a = await claimSplit(jobId, `${jobId}-tm-a`);
    await t.store.complete(a.attemptId, outcomesFor(a.items));
    const b = await claimSplit(jobId, `${jobId}-tm-b`, 5_000);

    const progress = await t.store.jobProgress(jobId, 60_000);
    expect(progress).not.toBeNull();
    expect(progress!.job).toMatchObject({ id: jobId, status: 'RUNNING', doneCount: 8, errorCount: 2 });
    expect(progress!.splits).toEqual({ total: 3, pending: 1, running: 1, done: 1, failed: 0 });
    expect(progress!.finishedInWindow).toBe(10);
    expect(progress!.medianSplitMs).toBeGreaterThanOrEqual(0);
    expect(progress!.errorsByCode).toEqual([{ code: 'HTTP_404', count: 2 }]);
    expect(progress!.activeTaskManagers).toBe(2);
    expect(progress!.runningAttempts).toHaveLength(1);
    expect(progress!.runningAttempts[0]).toMatchObject({ attemptId: b.attemptId, ordinal: 1, taskManagerId: `${jobId}-tm-b`, speculative: false });
    expect(progress!.runningAttempts[0]!.leaseExpiresAt.getTime()).toBe(b.leaseExpiresAt.getTime());
    expect(progress!.runningAttempts[0]!.leaseExpiresAt.getTime() - progress!.now.getTime()).toBeGreaterThan(0);

    const report = {
      taskManagerId: `${jobId}-tm-a`, items: 8, errors: 2, busyMs: 120, idleMs: 30, coldStart: true,
      startedAt: new Date(Date.now() - 1000), endedAt: new Date(), exitReason: 'JOB_DONE' as const,
    };
    await t.store.report(jobId, report);
    await t.store.report(jobId, report); // the client retries: same row
    expect(await t.store.endTaskManager(`${jobId}-tm-a`, { status: 'EXITED' })).toBe(true);
    expect(await t.store.endTaskManager(`${jobId}-tm-a`, { status: 'FAILED', error: 'late' })).toBe(false);
    const tms = await t.store.listTaskManagers(jobId);
    expect(tms).toHaveLength(2);
    expect(tms.find((tm) => tm.id === `${jobId}-tm-a`)).toMatchObject({ status: 'EXITED', items: 10, busyMs: 120, idleMs: 30, coldStart: true, error: null });
    expect((tms.find((tm) => tm.id === `${jobId}-tm-a`)?.report as { exitReason?: string }).exitReason).toBe('JOB_DONE');
    expect((await t.store.jobProgress(jobId))!.activeTaskManagers).toBe(1);
    expect(await t.store.jobProgress('00000000-0000-4000-8000-000000000000')).toBeNull();
  });
});
