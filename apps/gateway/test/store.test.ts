/**
 * The Postgres read side (createPrismaStore) against a real, migrated database seeded with SQL:
 * keyset paging, filters, computed split sizes, attempts, task managers, error counts, buckets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/setup/database.js';
import { openDatabase, type Database } from '@offsample/orchestrator-core';
import { createPrismaStore, type GatewayStore } from '../dist/index.js';

let tdb: TestDatabase;
let db: Database;
let store: GatewayStore;
let jobA: string;
let jobB: string;
let split0: string;

beforeAll(async () => {
  tdb = await createTestDatabase();
  db = await openDatabase({ url: tdb.url, migrate: false, poolMax: 2 });
  store = createPrismaStore(db.prisma);
  const insertJob = async (name: string, status: string, createdAt: string) =>
    (
      await db.pool.query<{ id: string }>(
        `INSERT INTO jobs (name, status, backend, split_mode, split_size, num_splits, num_task_managers, total_inputs,
                           max_split_retries, settings, worker_secret, done_count, error_count, created_at)
         VALUES ($1, $2, 'local', 'DYNAMIC', 2, 2, 1, 4, 1, '{"name":"x"}', 's', 3, 1, $3) RETURNING id`,
        [name, status, createdAt],
      )
    ).rows[0]!.id;
  jobA = await insertJob('a', 'RUNNING', '2025-01-01T00:00:00Z');
  jobB = await insertJob('b', 'SUCCEEDED', '2025-01-02T00:00:00Z');
  await insertJob('c', 'SUCCEEDED', '2025-01-02T00:00:00Z'); // same instant as b: the id breaks the tie
  split0 = (
    await db.pool.query<{ id: string }>(
      `INSERT INTO splits (job_id, ordinal, first_index, inputs, status) VALUES ($1, 0, 0, '{u0,u1}', 'DONE') RETURNING id`,
      [jobA],
    )
  ).rows[0]!.id;
  await db.pool.query(`INSERT INTO splits (job_id, ordinal, first_index, inputs, retries) VALUES ($1, 1, 2, '{u2,u3,u4}', 1)`, [jobA]);
  await db.pool.query(
    `INSERT INTO attempts (split_id, job_id, task_manager_id, lease_expires_at, speculative, started_at, status, ended_at)
     VALUES ($1, $2, 'tm-1', now(), false, now() - interval '2 s', 'SUCCEEDED', now()),
            ($1, $2, 'tm-2', now() + interval '10 s', true, now() - interval '1 s', 'RUNNING', NULL)`,
    [split0, jobA],
  );
  await db.pool.query(`INSERT INTO task_managers (id, job_id, backend, busy_ms, idle_ms, items, cold_start) VALUES ('tm-1', $1, 'local', 12.5, 3, 2, true)`, [jobA]);
  // Results 0..4 of job a, 7 s apart, ending now; 3 is a 404, 4 a timeout.
  for (let i = 0; i < 5; i++) {
    const err = i === 3 ? 'FETCH_404' : i === 4 ? 'FETCH_TIMEOUT' : null;
    await db.pool.query(
      `INSERT INTO results (job_id, input_index, input, label, probabilities, error_code, error_message, created_at)
       VALUES ($1, $2::int, $3, $4, $5, $6, $7, timestamptz '2025-01-01T00:01:00Z' + ($2::int * interval '7 seconds'))`,
      [jobA, i, `u${i}`, err ? null : i % 2 ? 'on' : 'off', err ? [] : [0.25, 0.75], err, err ? 'failed' : null],
    );
  }
});

afterAll(async () => {
  await db?.close();
  await tdb?.drop();
});

describe('createPrismaStore', () => {
  it('reads a job, and answers null for unknown or malformed ids', async () => {
    const job = await store.getJob(jobA);
    expect(job).toMatchObject({ id: jobA, name: 'a', status: 'RUNNING', backend: 'local', splitMode: 'dynamic', done: 3, failed: 1, totalInputs: 4 });
    expect(job?.settings).toEqual({ name: 'x' });
    expect(await store.getJob('00000000-0000-0000-0000-000000000000')).toBeNull();
    expect(await store.getJob('not-a-uuid')).toBeNull();
  });

  it('pages jobs newest first with a keyset that survives equal timestamps, and filters by status', async () => {
    const seen: string[] = [];
    let after = null;
    for (;;) {
      const page = await store.listJobs({ first: 1, after });
      expect(page.totalCount).toBe(3);
      seen.push(...page.nodes.map((n) => n.name));
      if (!page.hasNextPage) break;
      const last = page.nodes.at(-1)!;
      after = { createdAt: last.createdAt, id: last.id };
    }
    expect(seen).toHaveLength(3);
    expect(new Set(seen)).toEqual(new Set(['a', 'b', 'c']));
    expect(seen[2]).toBe('a');
    const done = await store.listJobs({ statuses: ['SUCCEEDED'], first: 10, after: null });
    expect(done.totalCount).toBe(2);
    expect(done.nodes.map((n) => n.id)).toContain(jobB);
  });

  it('pages results by input index and filters by label, error code and hasError', async () => {
    const p1 = await store.listResults({ jobId: jobA, first: 2, afterIndex: null });
    expect(p1.nodes.map((r) => r.inputIndex)).toEqual([0, 1]);
    expect(p1).toMatchObject({ hasNextPage: true, totalCount: 5 });
    expect(p1.nodes[0]).toMatchObject({ input: 'u0', label: 'off', probabilities: [0.25, 0.75], errorCode: null });
    const p2 = await store.listResults({ jobId: jobA, first: 10, afterIndex: 1 });
    expect(p2.nodes.map((r) => r.inputIndex)).toEqual([2, 3, 4]);
    expect(p2.hasNextPage).toBe(false);
    expect(p2.nodes[1]).toMatchObject({ label: null, probabilities: null, errorCode: 'FETCH_404', errorMessage: 'failed' });
    expect((await store.listResults({ jobId: jobA, label: 'on', first: 10, afterIndex: null })).nodes.map((r) => r.inputIndex)).toEqual([1]);
    expect((await store.listResults({ jobId: jobA, errorCode: 'FETCH_404', first: 10, afterIndex: null })).totalCount).toBe(1);
    expect((await store.listResults({ jobId: jobA, hasError: true, first: 10, afterIndex: null })).totalCount).toBe(2);
    expect((await store.listResults({ jobId: jobA, hasError: false, first: 10, afterIndex: null })).totalCount).toBe(3);
    expect((await store.listResults({ jobId: jobB, first: 10, afterIndex: null })).totalCount).toBe(0);
  });

  it('lists splits with their size, attempts oldest first, task managers, errors by code, throughput buckets', async () => {
    const splits = await store.listSplits(jobA);
    expect(splits.map((s) => [s.ordinal, s.status, s.firstIndex, s.size, s.retries])).toEqual([
      [0, 'DONE', 0, 2, 0],
      [1, 'PENDING', 2, 3, 1],
    ]);
    expect((await store.listSplits(jobA, 'PENDING')).map((s) => s.ordinal)).toEqual([1]);
    const attempts = await store.listAttempts(split0);
    expect(attempts.map((a) => [a.taskManagerId, a.status, a.speculative])).toEqual([
      ['tm-1', 'SUCCEEDED', false],
      ['tm-2', 'RUNNING', true],
    ]);
    expect(attempts[0]!.endedAt).toBeInstanceOf(Date);
    expect(await store.listTaskManagers(jobA)).toMatchObject([{ id: 'tm-1', coldStart: true, items: 2, busyMs: 12.5, idleMs: 3 }]);
    expect(await store.errorsByCode(jobA)).toEqual([
      { code: 'FETCH_404', count: 1 },
      { code: 'FETCH_TIMEOUT', count: 1 },
    ]);
    // Finished at +0, +7, +14, +21, +28 s after 00:01:00 → 10 s buckets 00:01:00 (0, 7), :10 (14), :20 (21, 28).
    const points = await store.throughput(jobA, 10);
    expect(points.map((p) => [p.t.toISOString(), p.items])).toEqual([
      ['2025-01-01T00:01:00.000Z', 2],
      ['2025-01-01T00:01:10.000Z', 1],
      ['2025-01-01T00:01:20.000Z', 2],
    ]);
  });
});
