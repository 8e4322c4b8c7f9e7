import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelled as labelledAs, openTestStore, type TestStore } from '../../../test/setup/store.js';
import type { WorkItem } from '../dist/ports.js';

let t: TestStore;
beforeAll(async () => {
  t = await openTestStore({ waitRetryMs: 25 });
});
afterAll(async () => {
  await t?.close();
});

const labelled = (items: WorkItem[]) => labelledAs(items, 'off-sample', [0.9, 0.1]);
const startedJob = (n: number, splitSize: number, maxSplitRetries: number) =>
  t.startedJob({ inputs: Array.from({ length: n }, (_, i) => `s3-key-${i}`), splitSize, maxSplitRetries });

async function claimSplit(jobId: string, tm: string, leaseMs = 60_000) {
  const claim = await t.store.claim(jobId, tm, leaseMs);
  if (claim.kind !== 'split') throw new Error(`expected a split, got ${JSON.stringify(claim)}`);
  return claim;
}

const later = (ms: number) => new Date(Date.now() + ms);

async function resultsPerInput(jobId: string): Promise<{ inputs: number; rows: number }> {
  const { rows } = await t.db.pool.query(
    'SELECT count(DISTINCT input_index)::int AS inputs, count(*)::int AS rows FROM results WHERE job_id = $1',
    [jobId],
  );
  return rows[0];
}

describe('lease expiry', () => {
  it('a lapsed lease makes the attempt LOST and the split claimable again; a heartbeat renews it', async () => {
    const jobId = await startedJob(4, 4, 2);
    const first = await claimSplit(jobId, 'tm-a', 60_000);
    // Not lapsed yet at +30 s; a heartbeat then pushes the lease further.
    expect((await t.store.expireLeases(later(30_000))).endedAttempts).toEqual([]);
    expect((await t.store.heartbeat(first.attemptId, 120_000)).kind).toBe('continue');
    expect((await t.store.expireLeases(later(90_000))).endedAttempts).toEqual([]);
    expect(await t.store.claim(jobId, 'tm-b', 1000)).toEqual({ kind: 'wait', retryAfterMs: 25 });

    const expired = await t.store.expireLeases(later(150_000));
    expect(expired.endedAttempts).toEqual([{ attemptId: first.attemptId, splitId: first.splitId, jobId, taskManagerId: 'tm-a' }]);
    expect(expired.releasedSplits).toEqual([{ splitId: first.splitId, jobId, ordinal: 0, status: 'PENDING', retries: 1 }]);
    expect(expired.jobIds).toEqual([jobId]);
    expect(await t.store.heartbeat(first.attemptId, 60_000)).toEqual({ kind: 'abandon', reason: 'LEASE_LOST' });

    const second = await claimSplit(jobId, 'tm-b');
    expect(second.splitId).toBe(first.splitId);
    expect(second.attemptId).not.toBe(first.attemptId);
    expect(await t.store.complete(second.attemptId, labelled(second.items))).toEqual({ kind: 'accepted', stored: 4 });
    // The lost attempt reports late: the split is done, its outcomes are discarded.
    expect(await t.store.complete(first.attemptId, labelled(first.items))).toEqual({ kind: 'discarded', reason: 'SPLIT_DONE' });
    const attempts = await t.store.listAttempts(jobId);
    expect(attempts.map((a) => [a.taskManagerId, a.status])).toEqual([['tm-a', 'LOST'], ['tm-b', 'SUCCEEDED']]);
    expect(await resultsPerInput(jobId)).toEqual({ inputs: 4, rows: 4 });
  });

  it('expires by the database clock too (a real 50 ms lease)', async () => {
    const jobId = await startedJob(2, 2, 1);
    const claim = await claimSplit(jobId, 'tm-a', 50);
    await sleep(120);
    const expired = await t.store.expireLeases();
    expect(expired.endedAttempts.map((a) => a.attemptId)).toEqual([claim.attemptId]);
  });

  it('a late report from a LOST attempt still wins while its split is open', async () => {
    const jobId = await startedJob(3, 3, 2);
    const first = await claimSplit(jobId, 'tm-a', 1000);
    await t.store.expireLeases(later(5000));
    const second = await claimSplit(jobId, 'tm-b');
    expect(await t.store.complete(first.attemptId, labelled(first.items))).toEqual({ kind: 'accepted', stored: 3 });
    expect(await t.store.heartbeat(second.attemptId, 1000)).toEqual({ kind: 'abandon', reason: 'SPLIT_DONE' });
    expect(await t.store.complete(second.attemptId, labelled(second.items))).toEqual({ kind: 'discarded', reason: 'SPLIT_DONE' });
    const attempts = await t.store.listAttempts(jobId);
    expect(attempts.map((a) => [a.taskManagerId, a.status])).toEqual([['tm-a', 'SUCCEEDED'], ['tm-b', 'CANCELLED']]);
  });

  it('a late report from an attempt given up without a charge still wins, and cancels the split’s new attempt', async () => {
    const jobId = await startedJob(3, 3, 2);
    const first = await claimSplit(jobId, 'tm-a');
    await t.store.releaseTaskManager('tm-a', 'exited', { chargeRetry: false });
    const second = await claimSplit(jobId, 'tm-b');
    expect((await t.store.listSplits(jobId))[0]).toMatchObject({ retries: 0 });
    expect(await t.store.complete(first.attemptId, labelled(first.items))).toEqual({ kind: 'accepted', stored: 3 });
    expect(await t.store.heartbeat(second.attemptId, 1000)).toEqual({ kind: 'abandon', reason: 'SPLIT_DONE' });
    const attempts = await t.store.listAttempts(jobId);
    expect(attempts.map((a) => [a.taskManagerId, a.status])).toEqual([['tm-a', 'SUCCEEDED'], ['tm-b', 'CANCELLED']]);
  });

  it('when retries run out the split FAILS and every input without a result gets a SPLIT_FAILED record', async () => {
    const jobId = await startedJob(10, 5, 1);
    const ok = await claimSplit(jobId, 'tm-ok');
    expect(ok.ordinal).toBe(0);
    await t.store.complete(ok.attemptId, labelled(ok.items));

    const try1 = await claimSplit(jobId, 'tm-a', 1000);
    const lost1 = await t.store.expireLeases(later(5000));
    expect(lost1.releasedSplits[0]).toMatchObject({ status: 'PENDING', retries: 1 });
    const try2 = await claimSplit(jobId, 'tm-b', 1000);
    expect(try2.splitId).toBe(try1.splitId);
    const lost2 = await t.store.expireLeases(later(5000));
    expect(lost2.releasedSplits).toEqual([{ splitId: try1.splitId, jobId, ordinal: 1, status: 'FAILED', retries: 1 }]);
    expect(lost2.errorRecords).toBe(5);

    expect(await t.store.claim(jobId, 'tm-c', 1000)).toEqual({ kind: 'done' });
    expect(await t.store.complete(try2.attemptId, labelled(try2.items))).toEqual({ kind: 'discarded', reason: 'SPLIT_FAILED' });
    expect(await t.store.finishJobIfComplete(jobId)).toBe('SUCCEEDED');
    const job = await t.store.getJob(jobId);
    expect(job).toMatchObject({ doneCount: 5, errorCount: 5, error: '1 of 2 splits failed; each of their inputs has an error record' });

    const failed = await t.store.listResults(jobId, { errors: true });
    expect(failed.map((r) => [r.inputIndex, r.input, r.errorCode])).toEqual(
      [5, 6, 7, 8, 9].map((i) => [i, `s3-key-${i}`, 'SPLIT_FAILED']),
    );
    expect(failed[0]!.errorMessage).toMatch(/split 1 failed: the lease of its last attempt expired without a heartbeat; 2 attempt\(s\) ended without completing and its 1 retries \(maxSplitRetries\) are used up/);
    expect(await resultsPerInput(jobId)).toEqual({ inputs: 10, rows: 10 });
    const [summary] = (await t.store.listSplits(jobId)).filter((s) => s.ordinal === 1);
    expect(summary).toMatchObject({ status: 'FAILED', attempts: 2, retries: 1 });
  });

  it('releases the attempts of a task manager that exited at once', async () => {
    const jobId = await startedJob(6, 3, 0);
    const a = await claimSplit(jobId, 'tm-gone');
    const b = await claimSplit(jobId, 'tm-gone');
    const report = await t.store.releaseTaskManager('tm-gone', 'exit code 1');
    expect(report.endedAttempts.map((x) => x.attemptId).sort()).toEqual([a.attemptId, b.attemptId].sort());
    // maxSplitRetries 0: both splits fail right away, with the reason in each input's record.
    expect(report.releasedSplits.map((s) => s.status)).toEqual(['FAILED', 'FAILED']);
    expect(report.errorRecords).toBe(6);
    expect(await t.store.heartbeat(a.attemptId, 1000)).toEqual({ kind: 'abandon', reason: 'LEASE_LOST' });
    const [record] = await t.store.listResults(jobId, { limit: 1 });
    expect(record?.errorMessage).toMatch(/task manager running its last attempt exited \(exit code 1\)/);
    expect((await t.store.releaseTaskManager('tm-gone', 'again')).endedAttempts).toEqual([]);
  });
});

describe('speculation and first completion wins', () => {
  it('hands out speculative copies after every original, never to the same task manager, within the retry cap', async () => {
    const jobId = await startedJob(6, 3, 1);
    const slow = await claimSplit(jobId, 'tm-slow');
    expect(await t.store.addSpeculativeAttempt(slow.splitId)).toBe(true);
    expect(await t.store.addSpeculativeAttempt(slow.splitId)).toBe(false); // one copy waiting already
    // The remaining original first.
    const original = await claimSplit(jobId, 'tm-fast');
    expect(original).toMatchObject({ ordinal: 1, speculative: false });
    // tm-slow runs split 0 already: it gets no copy of it.
    expect(await t.store.claim(jobId, 'tm-slow', 1000)).toEqual({ kind: 'wait', retryAfterMs: 25 });
    const copy = await claimSplit(jobId, 'tm-fast');
    expect(copy).toMatchObject({ splitId: slow.splitId, ordinal: 0, speculative: true });
    expect(copy.items).toEqual(slow.items);
    // Retry cap 1 is used by the copy.
    expect(await t.store.addSpeculativeAttempt(slow.splitId)).toBe(false);

    const progress = await t.store.jobProgress(jobId);
    expect(progress!.runningAttempts.filter((r) => r.splitId === slow.splitId).map((r) => r.speculative).sort()).toEqual([false, true]);

    expect(await t.store.complete(copy.attemptId, labelled(copy.items))).toEqual({ kind: 'accepted', stored: 3 });
    expect(await t.store.heartbeat(slow.attemptId, 1000)).toEqual({ kind: 'abandon', reason: 'SPLIT_DONE' });
    expect(await t.store.complete(slow.attemptId, labelled(slow.items))).toEqual({ kind: 'discarded', reason: 'SPLIT_DONE' });
    expect(await t.store.complete(copy.attemptId, labelled(copy.items))).toEqual({ kind: 'duplicate' });
    expect(await resultsPerInput(jobId)).toEqual({ inputs: 3, rows: 3 });
  });

  it('two attempts completing one split at the same moment: exactly one wins, one row per input', async () => {
    const jobId = await startedJob(50, 50, 3);
    const a = await claimSplit(jobId, 'tm-a');
    await t.store.addSpeculativeAttempt(a.splitId);
    const b = await claimSplit(jobId, 'tm-b');
    expect(b.speculative).toBe(true);
    const answers = await Promise.all([
      t.store.complete(a.attemptId, labelled(a.items)),
      t.store.complete(b.attemptId, labelled(b.items)),
      t.store.complete(a.attemptId, labelled(a.items)),
      t.store.complete(b.attemptId, labelled(b.items)),
    ]);
    const kinds = answers.map((x) => x.kind);
    expect(kinds.filter((k) => k === 'accepted')).toHaveLength(1);
    const winner = kinds[0] === 'accepted' || kinds[2] === 'accepted' ? 'a' : 'b';
    const [mine, theirs] = winner === 'a' ? [[answers[0], answers[2]], [answers[1], answers[3]]] : [[answers[1], answers[3]], [answers[0], answers[2]]];
    expect(mine!.map((x) => x!.kind).sort()).toEqual(['accepted', 'duplicate']);
    expect(theirs).toEqual([{ kind: 'discarded', reason: 'SPLIT_DONE' }, { kind: 'discarded', reason: 'SPLIT_DONE' }]);
    expect(await resultsPerInput(jobId)).toEqual({ inputs: 50, rows: 50 });
    expect((await t.store.getJob(jobId))?.doneCount).toBe(50);
  });
});

describe('giving back a claim that never reached its task manager', () => {
  it('ends the attempt CANCELLED and puts its split back at once, using up no retry', async () => {
    const jobId = await startedJob(6, 3, 1);
    const unseen = await claimSplit(jobId, 'tm-a', 1000);
    expect(await t.store.giveBack(unseen.attemptId, 'given back unseen: test')).toBe(true);
    expect(await t.store.giveBack(unseen.attemptId, 'given back unseen: test')).toBe(false);
    expect(await t.store.giveBack('not-an-id', 'x')).toBe(false);
    expect(await t.store.giveBack('00000000-0000-4000-8000-000000000000', 'x')).toBe(false);

    const [split] = await t.store.listSplits(jobId);
    expect(split).toMatchObject({ ordinal: 0, status: 'PENDING', retries: 0 });
    const [attempt] = await t.store.listAttempts(jobId);
    expect(attempt).toMatchObject({ attemptId: unseen.attemptId, status: 'CANCELLED', error: 'given back unseen: test' });
    expect(attempt!.endedAt).toBeInstanceOf(Date);

    // Claimable again at once, and its one retry is still there: a lapse of the next attempt
    // requeues it instead of failing it.
    const next = await claimSplit(jobId, 'tm-b', 1000);
    expect(next).toMatchObject({ splitId: unseen.splitId, ordinal: 0, speculative: false });
    const lapsed = await t.store.expireLeases(later(5000));
    expect(lapsed.releasedSplits).toEqual([{ splitId: unseen.splitId, jobId, ordinal: 0, status: 'PENDING', retries: 1 }]);
    // The given-back attempt cannot win.
    expect((await t.store.complete(unseen.attemptId, labelled(unseen.items))).kind).toBe('discarded');
    const last = await claimSplit(jobId, 'tm-c');
    expect(await t.store.complete(last.attemptId, labelled(last.items))).toEqual({ kind: 'accepted', stored: 3 });
    expect(await resultsPerInput(jobId)).toEqual({ inputs: 3, rows: 3 });
  });

  // The given-back attempt never reached a task manager, so its place is offered again as a
  // speculative slot: no second retry is charged (the job's one retry already paid for it).
  it.each(['copy', 'original'] as const)('a %s given back while the other attempt runs: the split stays on it, and the place is on offer again', async (givenBack) => {
    const jobId = await startedJob(3, 3, 1);
    const original = await claimSplit(jobId, 'tm-slow');
    expect(await t.store.addSpeculativeAttempt(original.splitId)).toBe(true);
    const copy = await claimSplit(jobId, 'tm-fast');
    expect(copy.speculative).toBe(true);
    const [gone, stays] = givenBack === 'copy' ? [copy, original] : [original, copy];
    expect(await t.store.giveBack(gone.attemptId, 'given back unseen: test')).toBe(true);
    expect((await t.store.listSplits(jobId))[0]).toMatchObject({ status: 'RUNNING', retries: 1 });
    const attempts = await t.store.listAttempts(jobId);
    expect(attempts.map((a) => [a.attemptId, a.status]).sort()).toEqual([[gone.attemptId, 'CANCELLED'], [stays.attemptId, 'RUNNING']].sort());

    const again = await claimSplit(jobId, 'tm-other');
    expect(again).toMatchObject({ splitId: original.splitId, speculative: true });
    expect((await t.store.listSplits(jobId))[0]).toMatchObject({ status: 'RUNNING', retries: 1 });
    expect(await t.store.addSpeculativeAttempt(original.splitId)).toBe(false);
    expect(await t.store.complete(again.attemptId, labelled(again.items))).toEqual({ kind: 'accepted', stored: 3 });
    expect((await t.store.complete(stays.attemptId, labelled(stays.items))).kind).toBe('discarded');
    expect(await resultsPerInput(jobId)).toEqual({ inputs: 3, rows: 3 });
  });
});
