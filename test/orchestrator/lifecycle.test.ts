/**
 * A running job cancelled, and an orchestrator stopped mid-job and replaced by a new one on the
 * same database. Splits 0 and 2 (of four) hold their inputs at a gate of the image server, so
 * half the job is done and half is provably in progress when the test acts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Orchestrator } from '@offsample/orchestrator-core';
import { createTestDatabase, type TestDatabase } from '../setup/database.js';
import {
  baseJob,
  expectNoChildLeft,
  expectNoErrorLogs,
  expectNoSplitDoneTwice,
  expectOneRecordPerInput,
  pidAlive,
  startTestImages,
  startTestOrchestrator,
  waitFor,
  type TestImages,
  type TestOrchestrator,
} from './helpers.js';

describe('orchestrator: cancel and restart', () => {
  let tdb: TestDatabase;
  let images: TestImages;
  const running: TestOrchestrator[] = [];

  beforeAll(async () => {
    [tdb, images] = await Promise.all([createTestDatabase(), startTestImages(12, 47)]);
  });
  afterEach(async () => {
    for (const t of running.splice(0)) {
      await t.stop();
      expectNoChildLeft(t.backend);
      expectNoErrorLogs(t);
    }
  });
  afterAll(async () => {
    await images?.close();
    await tdb?.drop();
  });

  async function start(maxTaskManagers: number, stopGraceMs?: number): Promise<TestOrchestrator> {
    const t = await startTestOrchestrator(tdb.url, { maxTaskManagers }, stopGraceMs === undefined ? {} : { stopGraceMs });
    running.push(t);
    return t;
  }

  /** 12 inputs in splits of 3; splits 0 and 2 wait at `gate`. */
  function halfGated(gate: string): string[] {
    return images.files.map((f, i) => images.server.urlFor(f, i < 3 || (i >= 6 && i < 9) ? gate : undefined));
  }

  async function splitStatuses(o: Orchestrator, jobId: string): Promise<string[]> {
    return (await o.store.listSplits(jobId)).map((s) => s.status);
  }

  it('cancelJob on a running job: CANCELLED, unfinished inputs get CANCELLED records, task managers gone', async () => {
    // Grace longer than a task manager's longest claim back-off (2 s): they must leave by themselves.
    const t = await start(2, 5_000);
    const inputs = halfGated('cancel');
    const { jobId } = await t.orchestrator.enqueueJob(baseJob('cancel', inputs, { numTaskManagers: 2, splitSize: 3 }));
    await waitFor('splits 1 and 3 done, 0 and 2 running', async () => {
      const s = await splitStatuses(t.orchestrator, jobId);
      return s.join() === 'RUNNING,DONE,RUNNING,DONE';
    });
    expect(images.server.gatedRequests('cancel')).toBeGreaterThan(0);

    expect(await t.orchestrator.cancelJob(jobId)).toBe(true);
    const summary = await t.orchestrator.waitForJob(jobId);
    expect(await t.orchestrator.cancelJob(jobId)).toBe(false); // already over

    expect(summary.status).toBe('CANCELLED');
    expect(summary).toMatchObject({ done: 6, failed: 6, errorsByCode: [{ code: 'CANCELLED', count: 6 }] });
    const rows = await expectOneRecordPerInput(t.orchestrator, jobId, inputs);
    for (const r of rows) {
      const gated = r.inputIndex < 3 || (r.inputIndex >= 6 && r.inputIndex < 9);
      if (gated) expect(r.errorCode).toBe('CANCELLED');
      else expect(r.label).not.toBeNull();
    }
    const attempts = await t.orchestrator.store.listAttempts(jobId);
    expect(attempts.filter((a) => a.status === 'RUNNING')).toEqual([]);
    expect(attempts.filter((a) => a.status === 'CANCELLED')).toHaveLength(2);
    // The job's end waits for its task managers: gone by the time the summary is out.
    expect(t.backend.live()).toBe(0);
    for (const tm of t.backend.forJob(jobId)) {
      expect(pidAlive(tm.pid)).toBe(false);
      // Told by heartbeat (abandon) and claim (done), not killed.
      expect(tm.exit).toMatchObject({ code: 0, signal: null });
    }
    expect((await t.orchestrator.store.listTaskManagers(jobId)).every((tm) => tm.status === 'EXITED' || tm.status === 'FAILED')).toBe(true);
    images.server.openGate('cancel');
  });

  it('restart: an orchestrator stopped mid-job leaves it RUNNING; a new one on the same database recovers and completes it', async () => {
    const first = await start(2);
    const inputs = halfGated('restart');
    // maxSplitRetries 0: a stop or restart of the orchestrator must not use up a split's retries,
    // so the two splits in progress are redone after the restart, not failed.
    const { jobId } = await first.orchestrator.enqueueJob(baseJob('restart', inputs, { numTaskManagers: 2, splitSize: 3, maxSplitRetries: 0 }));
    await waitFor('splits 1 and 3 done, 0 and 2 running', async () => {
      const s = await splitStatuses(first.orchestrator, jobId);
      return s.join() === 'RUNNING,DONE,RUNNING,DONE';
    });
    const doneBefore = (await first.orchestrator.store.listAttempts(jobId)).filter((a) => a.status === 'SUCCEEDED');
    expect(doneBefore).toHaveLength(2);

    await first.stop();
    expectNoChildLeft(first.backend); // stop() reaps its task managers

    const second = await start(2);
    expect((await second.orchestrator.store.getJob(jobId))?.status).toBe('RUNNING');
    images.server.openGate('restart');
    const summary = await second.orchestrator.waitForJob(jobId);

    expect(summary.status).toBe('SUCCEEDED');
    expect(summary).toMatchObject({ done: 12, failed: 0 });
    await expectOneRecordPerInput(second.orchestrator, jobId, inputs);
    await expectNoSplitDoneTwice(second.orchestrator, jobId);
    const attempts = await second.orchestrator.store.listAttempts(jobId);
    // Splits done before the restart were not redone.
    for (const won of doneBefore) expect(attempts.filter((a) => a.splitId === won.splitId)).toHaveLength(1);
    // The gated splits were finished by task managers of the new orchestrator.
    const newTms = new Set(second.backend.forJob(jobId).map((r) => r.taskManagerId));
    expect(newTms.size).toBeGreaterThan(0);
    for (const a of attempts.filter((x) => x.status === 'SUCCEEDED' && !doneBefore.some((d) => d.attemptId === x.attemptId))) {
      expect(newTms.has(a.taskManagerId)).toBe(true);
    }
  });
});
