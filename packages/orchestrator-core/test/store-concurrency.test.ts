import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelled as labelledAs, openTestStore, type TestStore } from '../../../test/setup/store.js';
import type { WorkItem } from '../dist/ports.js';

// A pool smaller than the number of claimers, so they really contend for connections and rows.
let t: TestStore;
beforeAll(async () => {
  t = await openTestStore({ waitRetryMs: 10, poolMax: 8 });
});
afterAll(async () => {
  await t?.close();
});

const labelled = (items: WorkItem[]) => labelledAs(items, 'on-sample', [0.3, 0.7]);
const startedJob = (splits: number, splitSize: number, maxSplitRetries: number) =>
  t.startedJob({ inputs: Array.from({ length: splits * splitSize }, (_, i) => `https://img.example/${i}.jpg`), splitSize, maxSplitRetries, numTaskManagers: 20 });

interface Held {
  splitId: string;
  tm: string;
}

describe('many concurrent claimers', () => {
  it('20 claim loops over 200 splits: no split is held twice at once, each is claimed exactly once', async () => {
    const jobId = await startedJob(200, 4, 2);
    const holding = new Map<string, string>(); // splitId → tm holding it right now
    const overlaps: string[] = [];
    const claimed: Held[] = [];
    const loop = async (tm: string): Promise<void> => {
      for (;;) {
        const claim = await t.store.claim(jobId, tm, 60_000);
        if (claim.kind === 'done') return;
        if (claim.kind === 'wait') {
          await sleep(claim.retryAfterMs);
          continue;
        }
        const other = holding.get(claim.splitId);
        if (other !== undefined) overlaps.push(`${claim.splitId} held by ${other} and ${tm}`);
        holding.set(claim.splitId, tm);
        claimed.push({ splitId: claim.splitId, tm });
        await sleep(Math.random() * 3); // some work, so claims interleave
        holding.delete(claim.splitId);
        const done = await t.store.complete(claim.attemptId, labelled(claim.items));
        expect(done.kind).toBe('accepted');
      }
    };
    await Promise.all(Array.from({ length: 20 }, (_, i) => loop(`tm-${i}`)));

    expect(overlaps).toEqual([]);
    expect(claimed).toHaveLength(200);
    expect(new Set(claimed.map((c) => c.splitId)).size).toBe(200);
    // The work really was shared.
    expect(new Set(claimed.map((c) => c.tm)).size).toBeGreaterThan(1);
    expect(await t.store.finishJobIfComplete(jobId)).toBe('SUCCEEDED');
    const { rows } = await t.db.pool.query(
      `SELECT (SELECT count(*) FROM attempts WHERE job_id = $1)::int AS attempts,
              (SELECT count(*) FROM results WHERE job_id = $1)::int AS results,
              (SELECT count(DISTINCT input_index) FROM results WHERE job_id = $1)::int AS inputs,
              (SELECT done_count FROM jobs WHERE id = $1) AS done_count`,
      [jobId],
    );
    expect(rows[0]).toEqual({ attempts: 200, results: 800, inputs: 800, done_count: 800 });
  });

  it('with lapsing leases and an expiry loop running alongside: a split changes hands only after its lease ended, and every input ends with one result', async () => {
    const jobId = await startedJob(60, 3, 3);
    const stalledOnce = new Set<number>();
    let expiring = true;
    const expirer = (async () => {
      while (expiring) {
        await t.store.expireLeases();
        await sleep(20);
      }
    })();
    const loop = async (tm: string): Promise<void> => {
      for (;;) {
        const claim = await t.store.claim(jobId, tm, 400);
        if (claim.kind === 'done') return;
        if (claim.kind === 'wait') {
          await sleep(claim.retryAfterMs);
          continue;
        }
        // Every fifth split's first holder goes silent: no heartbeat, no report.
        if (claim.ordinal % 5 === 0 && !stalledOnce.has(claim.ordinal)) {
          stalledOnce.add(claim.ordinal);
          continue;
        }
        const beat = await t.store.heartbeat(claim.attemptId, 400);
        if (beat.kind === 'abandon') continue;
        await t.store.complete(claim.attemptId, labelled(claim.items));
      }
    };
    try {
      await Promise.all(Array.from({ length: 20 }, (_, i) => loop(`tm-${i}`)));
    } finally {
      expiring = false;
      await expirer;
    }
    expect(stalledOnce.size).toBe(12);
    expect(await t.store.finishJobIfComplete(jobId)).toBe('SUCCEEDED');

    // From the database's own record: an attempt of a split starts only after the lease of the
    // one before it ended, and exactly one attempt per split won.
    const { rows: attempts } = await t.db.pool.query(
      `SELECT split_id, status, started_at, ended_at, lease_expires_at FROM attempts WHERE job_id = $1 ORDER BY split_id, started_at`,
      [jobId],
    );
    const bySplit = new Map<string, typeof attempts>();
    for (const a of attempts) bySplit.set(a.split_id, [...(bySplit.get(a.split_id) ?? []), a]);
    expect(bySplit.size).toBe(60);
    let replaced = 0;
    for (const list of bySplit.values()) {
      expect(list.filter((a) => a.status === 'SUCCEEDED')).toHaveLength(1);
      for (let i = 1; i < list.length; i++) {
        const previous = list[i - 1]!;
        expect(list[i]!.started_at.getTime()).toBeGreaterThanOrEqual(previous.lease_expires_at.getTime());
        replaced++;
      }
      // A stalled first holder never came back: it stays LOST.
      expect(list.slice(0, -1).every((a) => a.status === 'LOST' || a.status === 'SUCCEEDED')).toBe(true);
    }
    expect(replaced).toBeGreaterThanOrEqual(12);
    const { rows } = await t.db.pool.query(
      `SELECT count(*)::int AS results, count(DISTINCT input_index)::int AS inputs, count(*) FILTER (WHERE label IS NULL)::int AS errors
       FROM results WHERE job_id = $1`,
      [jobId],
    );
    expect(rows[0]).toEqual({ results: 180, inputs: 180, errors: 0 });
  });
});
