/**
 * How worker calls commit (split-store.ts, "Commits"): claims, completes and heartbeats set
 * synchronous_commit off for their own transaction when they write (workerCommit 'async', the
 * default), leave the server's setting alone with 'sync', and never change it for the session.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelled, openTestStore, type TestStore } from '../../../test/setup/store.js';
import { PgSplitStore } from '../dist/store/split-store.js';
import { statements, type StatementName } from '../dist/store/sql.js';

let t: TestStore;
/** The server's own synchronous_commit (on, unless the server says otherwise). */
let serverSetting: string;

beforeAll(async () => {
  t = await openTestStore({ waitRetryMs: 25 });
  serverSetting = (await t.db.pool.query<{ s: string }>("SELECT current_setting('synchronous_commit') AS s")).rows[0]!.s;
});
afterAll(async () => {
  await t?.close();
});

const startedJob = (n: number, splitSize: number) => t.startedJob({ inputs: n, splitSize });

/** Runs one statement inside a transaction that is rolled back, and says what synchronous_commit the transaction would commit with. */
async function commitModeOf(name: StatementName, values: unknown[]): Promise<{ mode: string; rows: number }> {
  const client: pg.PoolClient = await t.db.pool.connect();
  try {
    await client.query('BEGIN');
    const result = await client.query(statements()[name].text, values);
    const mode = (await client.query<{ s: string }>("SELECT current_setting('synchronous_commit') AS s")).rows[0]!.s;
    await client.query('ROLLBACK');
    // Transaction-local: the session keeps the server's setting.
    expect((await client.query<{ s: string }>("SELECT current_setting('synchronous_commit') AS s")).rows[0]!.s).toBe(serverSetting);
    return { mode, rows: result.rowCount ?? 0 };
  } finally {
    client.release();
  }
}

describe('the worker statements', () => {
  it("set synchronous_commit off for their own transaction when they write, and keep the server's with NULL", async () => {
    const jobId = await startedJob(4, 2);
    const claim = await t.store.claim(jobId, 'tm-a', 60_000);
    if (claim.kind !== 'split') throw new Error('expected a split');
    const outcomes = JSON.stringify(claim.items.map((item, i) => ({ r: 1, i: item.index, n: item.input, l: 'on', p: [0.5, 0.5], f: i })));
    const cases: [StatementName, (mode: string | null) => unknown[]][] = [
      ['claim_many', (mode) => [jobId, ['tm-b'], 60_000, mode]],
      ['claim', (mode) => [jobId, 'tm-b', 60_000, mode]],
      ['heartbeat', (mode) => [claim.attemptId, 60_000, mode]],
      ['complete_many', (mode) => [[claim.attemptId], [2], [null], outcomes, mode]],
      ['complete_many_unguarded', (mode) => [[claim.attemptId], [2], [null], outcomes, mode]],
    ];
    for (const [name, values] of cases) {
      const off = await commitModeOf(name, values('off'));
      expect([name, off.mode]).toEqual([name, 'off']);
      expect(off.rows).toBeGreaterThan(0);
      expect([name, (await commitModeOf(name, values(null))).mode]).toEqual([name, serverSetting]);
    }
    // Nothing written, nothing set: a claim of a job with no split left.
    const done = await startedJob(2, 2);
    const only = await t.store.claim(done, 'tm-a', 60_000);
    expect(only.kind).toBe('split');
    expect(await commitModeOf('claim_many', [done, ['tm-b'], 60_000, 'off'])).toEqual({ mode: serverSetting, rows: 0 });
  });
});

describe('the store', () => {
  /** A store on the same pool that records the last value of each worker statement it runs. */
  function recordingStore(options: ConstructorParameters<typeof PgSplitStore>[1]) {
    const last = new Map<string, unknown>();
    const pool = new Proxy(t.db.pool, {
      get(target, key, receiver) {
        if (key === 'query') {
          return (config: { name?: string; values?: unknown[] }, ...rest: unknown[]) => {
            if (typeof config === 'object' && config !== null && typeof config.name === 'string') {
              last.set(config.name.replace(/^offsample_|_g\d+$/g, ''), config.values?.at(-1));
            }
            return (target.query as (...args: unknown[]) => unknown).call(target, config, ...rest);
          };
        }
        const value = Reflect.get(target, key, receiver) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    return { store: new PgSplitStore({ pool, prisma: t.db.prisma }, options), last };
  }

  async function cycle(store: PgSplitStore): Promise<void> {
    const jobId = await startedJob(4, 2);
    const claim = await store.claim(jobId, 'tm-a', 60_000);
    if (claim.kind !== 'split') throw new Error('expected a split');
    expect((await store.heartbeat(claim.attemptId, 60_000)).kind).toBe('continue');
    expect(await store.complete(claim.attemptId, labelled(claim.items))).toEqual({ kind: 'accepted', stored: 2 });
  }

  it("commits worker calls asynchronously by default, with the server's setting when workerCommit is 'sync'", async () => {
    const byDefault = recordingStore({});
    await cycle(byDefault.store);
    expect(Object.fromEntries(byDefault.last)).toMatchObject({ claim_many: 'off', heartbeat: 'off', complete_many_unguarded: 'off' });
    const sync = recordingStore({ workerCommit: 'sync' });
    await cycle(sync.store);
    expect(Object.fromEntries(sync.last)).toMatchObject({ claim_many: null, heartbeat: null, complete_many_unguarded: null });
    // Every pooled session still has the server's setting.
    const sessions = await Promise.all(Array.from({ length: 3 }, () => t.db.pool.connect()));
    try {
      for (const s of sessions) expect((await s.query<{ s: string }>("SELECT current_setting('synchronous_commit') AS s")).rows[0]!.s).toBe(serverSetting);
    } finally {
      for (const s of sessions) s.release();
    }
  });

  it('refuses an unknown workerCommit, naming the option', () => {
    expect(() => new PgSplitStore({ pool: t.db.pool, prisma: t.db.prisma }, { workerCommit: 'lazy' as never })).toThrow(/workerCommit must be one of async, sync \(got "lazy"\)/);
  });
});
