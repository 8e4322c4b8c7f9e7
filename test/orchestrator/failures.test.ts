/**
 * Task managers that die or hang mid-split. The inputs of split 0 are held at a gate of the image
 * server, so the split is provably in progress on a known task manager (its attempt is RUNNING and
 * its fetches have reached the server) when the test kills or stops that process.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../setup/database.js';
import {
  baseJob,
  expectNoChildLeft,
  expectNoErrorLogs,
  expectNoSplitDoneTwice,
  expectOneRecordPerInput,
  runningAttemptOf,
  startTestImages,
  startTestOrchestrator,
  waitFor,
  type TestImages,
  type TestOrchestrator,
} from './helpers.js';

describe('orchestrator: task managers that die or stop heartbeating', () => {
  let tdb: TestDatabase;
  let images: TestImages;
  let t: TestOrchestrator | undefined;
  let expectedErrors: string[] = [];

  beforeAll(async () => {
    [tdb, images] = await Promise.all([createTestDatabase(), startTestImages(16, 23)]);
  });
  afterEach(async () => {
    const current = t;
    const allowed = expectedErrors;
    t = undefined;
    expectedErrors = [];
    if (current) {
      // A test that failed while a child was stopped must still be able to stop it.
      for (const tm of current.backend.started) if (tm.exit === null) process.kill(tm.pid, 'SIGCONT');
      await current.stop();
      expectNoChildLeft(current.backend);
      expectNoErrorLogs(current, allowed);
    }
  });
  afterAll(async () => {
    await images?.close();
    await tdb?.drop();
  });

  /** 16 inputs in splits of 4; split 0's inputs wait at `gate`. */
  function gatedInputs(gate: string): string[] {
    return images.files.map((f, i) => images.server.urlFor(f, i < 4 ? gate : undefined));
  }

  it('SIGKILL of a task manager mid-split: the split is retried by another and every input ends with one result', async () => {
    t = await startTestOrchestrator(tdb.url, { maxTaskManagers: 2 });
    const inputs = gatedInputs('kill');
    const { jobId } = await t.orchestrator.enqueueJob(baseJob('kill', inputs, { numTaskManagers: 2, splitSize: 4, maxSplitRetries: 2 }));

    await images.server.waitForGatedRequest('kill');
    const victim = await runningAttemptOf(t.orchestrator, jobId, 0);
    const tm = t.backend.byId(victim.taskManagerId);
    process.kill(tm.pid, 'SIGKILL');
    await waitFor('the killed attempt to end', async () => {
      const a = (await t!.orchestrator.store.listAttempts(jobId)).find((x) => x.attemptId === victim.attemptId);
      return a && a.status !== 'RUNNING' ? a : undefined;
    });
    images.server.openGate('kill');

    const summary = await t.orchestrator.waitForJob(jobId);
    expect(summary.status).toBe('SUCCEEDED');
    expect(summary).toMatchObject({ done: 16, failed: 0 });
    await expectOneRecordPerInput(t.orchestrator, jobId, inputs);
    await expectNoSplitDoneTwice(t.orchestrator, jobId);

    expect(tm.exit).toMatchObject({ signal: 'SIGKILL' });
    const attempts = (await t.orchestrator.store.listAttempts(jobId)).filter((a) => a.splitId === victim.splitId);
    expect(attempts.length).toBeGreaterThan(1);
    expect(['FAILED', 'LOST']).toContain(attempts.find((a) => a.attemptId === victim.attemptId)!.status);
    const winner = attempts.find((a) => a.status === 'SUCCEEDED')!;
    expect(winner.taskManagerId).not.toBe(victim.taskManagerId);
    const split0 = (await t.orchestrator.store.listSplits(jobId)).find((s) => s.ordinal === 0)!;
    expect(split0).toMatchObject({ status: 'DONE' });
    expect(split0.attempts).toBeGreaterThan(1);
    const tmRow = (await t.orchestrator.store.listTaskManagers(jobId)).find((r) => r.id === victim.taskManagerId);
    expect(tmRow?.status).toBe('FAILED');
  });

  it('static mode: a killed invocation releases its split at once and another invocation redoes it', async () => {
    t = await startTestOrchestrator(tdb.url, { maxTaskManagers: 2 });
    const inputs = gatedInputs('static-kill').slice(0, 8);
    const { jobId } = await t.orchestrator.enqueueJob(
      baseJob('static-kill', inputs, { numTaskManagers: 2, splitSize: 4, splitMode: 'static', maxSplitRetries: 1 }),
    );

    await images.server.waitForGatedRequest('static-kill');
    const victim = await runningAttemptOf(t.orchestrator, jobId, 0);
    const tm = t.backend.byId(victim.taskManagerId);
    process.kill(tm.pid, 'SIGKILL');
    await waitFor('the killed invocation to release its split', async () => {
      const a = (await t!.orchestrator.store.listAttempts(jobId)).find((x) => x.attemptId === victim.attemptId);
      return a && a.status !== 'RUNNING' ? a : undefined;
    });
    images.server.openGate('static-kill');

    const summary = await t.orchestrator.waitForJob(jobId);
    expect(summary.status).toBe('SUCCEEDED');
    expect(summary).toMatchObject({ done: 8, failed: 0 });
    await expectOneRecordPerInput(t.orchestrator, jobId, inputs);
    await expectNoSplitDoneTwice(t.orchestrator, jobId);
    const attempts = (await t.orchestrator.store.listAttempts(jobId)).filter((a) => a.splitId === victim.splitId);
    expect(attempts).toHaveLength(2);
    expect(attempts.find((a) => a.attemptId === victim.attemptId)!.status).toBe('FAILED');
    expect(attempts.find((a) => a.status === 'SUCCEEDED')!.taskManagerId).not.toBe(victim.taskManagerId);
  });

  it('a task manager that stops heartbeating (SIGSTOP) loses its lease and its split goes to another', async () => {
    t = await startTestOrchestrator(tdb.url, { maxTaskManagers: 2 });
    const inputs = gatedInputs('stop');
    const { jobId } = await t.orchestrator.enqueueJob(
      baseJob('stop', inputs, { numTaskManagers: 2, splitSize: 4, maxSplitRetries: 2, leaseMs: 1_500, keepAlive: { enabled: true, intervalMs: 250 } }),
    );

    await images.server.waitForGatedRequest('stop');
    const victim = await runningAttemptOf(t.orchestrator, jobId, 0);
    const tm = t.backend.byId(victim.taskManagerId);
    process.kill(tm.pid, 'SIGSTOP');
    try {
      const lost = await waitFor('the stopped attempt to lose its lease', async () => {
        const a = (await t!.orchestrator.store.listAttempts(jobId)).find((x) => x.attemptId === victim.attemptId);
        return a && a.status !== 'RUNNING' ? a : undefined;
      });
      expect(lost.status).toBe('LOST');
      images.server.openGate('stop');
      // Still stopped: whoever finishes split 0 is another task manager.
      await waitFor('split 0 to be done by another task manager', async () => {
        const s = (await t!.orchestrator.store.listSplits(jobId)).find((x) => x.ordinal === 0);
        return s?.status === 'DONE';
      });
      expect(tm.exit).toBeNull(); // it was never killed: the lease alone sent the split elsewhere
    } finally {
      process.kill(tm.pid, 'SIGCONT');
    }

    const summary = await t.orchestrator.waitForJob(jobId);
    expect(summary.status).toBe('SUCCEEDED');
    expect(summary).toMatchObject({ done: 16, failed: 0 });
    await expectOneRecordPerInput(t.orchestrator, jobId, inputs);
    await expectNoSplitDoneTwice(t.orchestrator, jobId);
    const attempts = (await t.orchestrator.store.listAttempts(jobId)).filter((a) => a.splitId === victim.splitId);
    expect(attempts.find((a) => a.attemptId === victim.attemptId)!.status).toBe('LOST');
    const winner = attempts.find((a) => a.status === 'SUCCEEDED')!;
    expect(winner.taskManagerId).not.toBe(victim.taskManagerId);
  });

  it('a split that exhausts its retries gives each of its inputs a SPLIT_FAILED record, and the job still ends', async () => {
    t = await startTestOrchestrator(tdb.url, { maxTaskManagers: 2 });
    const inputs = gatedInputs('doomed');
    const { jobId } = await t.orchestrator.enqueueJob(baseJob('doomed', inputs, { numTaskManagers: 2, splitSize: 4, maxSplitRetries: 0 }));

    await images.server.waitForGatedRequest('doomed');
    const victim = await runningAttemptOf(t.orchestrator, jobId, 0);
    process.kill(t.backend.byId(victim.taskManagerId).pid, 'SIGKILL');

    const summary = await t.orchestrator.waitForJob(jobId);
    images.server.openGate('doomed');
    expect(summary.status).toBe('SUCCEEDED'); // failed splits leave error records, not a failed job
    const rows = await expectOneRecordPerInput(t.orchestrator, jobId, inputs);
    const splits = await t.orchestrator.store.listSplits(jobId);
    expect(splits.find((s) => s.ordinal === 0)).toMatchObject({ status: 'FAILED', attempts: 1 });
    // Every input of a FAILED split has a SPLIT_FAILED record; a DONE split has labels only. (The
    // killed task manager may have claimed a second split ahead: that one fails the same way.)
    for (const s of splits) {
      const own = rows.slice(s.firstIndex, s.firstIndex + s.size);
      if (s.status === 'FAILED') expect(own.map((r) => r.errorCode)).toEqual(own.map(() => 'SPLIT_FAILED'));
      else expect(own.every((r) => r.label !== null)).toBe(true);
    }
    const failedSplits = splits.filter((s) => s.status === 'FAILED').length;
    expect(summary.failed).toBe(failedSplits * 4);
    expect(summary.done).toBe(16 - failedSplits * 4);
    expect(summary.errorsByCode).toEqual([{ code: 'SPLIT_FAILED', count: failedSplits * 4 }]);
  });

  it('a job whose task managers cannot start fails after a bounded number of restarts, with a JOB_FAILED record per input', async () => {
    t = await startTestOrchestrator(tdb.url, { maxTaskManagers: 2 });
    expectedErrors = ['job failed'];
    const inputs = images.files.slice(0, 6).map((f) => images.server.urlFor(f));

    const summary = await t.orchestrator.runJob(
      baseJob('no-model', inputs, { numTaskManagers: 2, splitSize: 3, maxSplitRetries: 0, model: { dir: '/nonexistent/offsample-model' } }),
    );

    expect(summary.status).toBe('FAILED');
    expect(summary.plan.numTaskManagers).toBe(2);
    expect(summary).toMatchObject({ done: 0, failed: 6, errorsByCode: [{ code: 'JOB_FAILED', count: 6 }] });
    await expectOneRecordPerInput(t.orchestrator, summary.jobId, inputs);
    // Every one exited with an error (the model cannot load); replacements stop at the restart
    // budget, target + max(2, target × (maxSplitRetries + 1)) = 4 here, also while one of the
    // two is still alive, instead of going on.
    const started = t.backend.forJob(summary.jobId);
    expect(started.length).toBeGreaterThan(2);
    expect(started.length).toBeLessThanOrEqual(4);
    for (const tm of started) expect(tm.exit?.code).toBe(1);
    expect((await t.orchestrator.store.getJob(summary.jobId))?.error).toMatch(/no task manager could finish the job/);
  });
});
