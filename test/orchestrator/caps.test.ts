/**
 * Jobs enqueued together against the orchestrator's caps: maxJobManagers (jobs running at once)
 * and maxTaskManagers (task-manager processes alive at once, across jobs). Each first job holds
 * one split at a gate of the image server, so it is provably still running while the second is
 * admitted (or not).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JobStatusEvent } from '@offsample/orchestrator-core';
import { createTestDatabase, type TestDatabase } from '../setup/database.js';
import {
  baseJob,
  expectNoChildLeft,
  expectNoErrorLogs,
  expectOneRecordPerInput,
  startTestImages,
  startTestOrchestrator,
  waitFor,
  type TestImages,
  type TestOrchestrator,
} from './helpers.js';

describe('orchestrator: caps on jobs and task managers', () => {
  let tdb: TestDatabase;
  let images: TestImages;
  let t: TestOrchestrator | undefined;

  beforeAll(async () => {
    [tdb, images] = await Promise.all([createTestDatabase(), startTestImages(12, 31)]);
  });
  afterEach(async () => {
    const current = t;
    t = undefined;
    if (current) {
      await current.stop();
      expectNoChildLeft(current.backend);
      expectNoErrorLogs(current);
    }
  });
  afterAll(async () => {
    await images?.close();
    await tdb?.drop();
  });

  /** `count` inputs starting at image `from`; the first `gatedCount` wait at `gate`. */
  function inputs(from: number, count: number, gate: string, gatedCount: number): string[] {
    return images.files.slice(from, from + count).map((f, i) => images.server.urlFor(f, i < gatedCount ? gate : undefined));
  }

  it('maxJobManagers 1: the second job stays QUEUED until the first has ended; a queued job can be cancelled', async () => {
    t = await startTestOrchestrator(tdb.url, { maxJobManagers: 1, maxTaskManagers: 2 });
    const events: JobStatusEvent[] = [];
    t.orchestrator.on('jobStatus', (e: JobStatusEvent) => events.push(e));
    const firstInputs = inputs(0, 6, 'one-at-a-time', 2);
    const secondInputs = inputs(6, 6, 'unused', 0);
    const first = await t.orchestrator.enqueueJob(baseJob('first', firstInputs, { numTaskManagers: 2, splitSize: 2 }));
    const second = await t.orchestrator.enqueueJob(baseJob('second', secondInputs, { numTaskManagers: 2, splitSize: 2 }));
    const thirdInputs = inputs(0, 3, 'unused', 0);
    const third = await t.orchestrator.enqueueJob(baseJob('third', thirdInputs, { numTaskManagers: 1 }));

    await images.server.waitForGatedRequest('one-at-a-time');
    expect((await t.orchestrator.store.getJob(first.jobId))?.status).toBe('RUNNING');
    // Several scheduler ticks (100 ms) pass with the first job blocked: the second is not admitted.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect((await t.orchestrator.store.getJob(second.jobId))?.status).toBe('QUEUED');
    expect(t.backend.forJob(second.jobId)).toHaveLength(0);
    expect((await t.orchestrator.getProgress(second.jobId))?.status).toBe('QUEUED');
    // A queued job can be cancelled before it ever runs: CANCELLED records, no task manager.
    expect(await t.orchestrator.cancelJob(third.jobId)).toBe(true);
    const s3 = await t.orchestrator.waitForJob(third.jobId);
    expect(s3).toMatchObject({ status: 'CANCELLED', done: 0, failed: 3 });
    const rows3 = await expectOneRecordPerInput(t.orchestrator, third.jobId, thirdInputs);
    expect(rows3.every((r) => r.errorCode === 'CANCELLED')).toBe(true);

    images.server.openGate('one-at-a-time');
    const [s1, s2] = await Promise.all([t.orchestrator.waitForJob(first.jobId), t.orchestrator.waitForJob(second.jobId)]);
    expect(s1.status).toBe('SUCCEEDED');
    expect(s2.status).toBe('SUCCEEDED');
    await expectOneRecordPerInput(t.orchestrator, first.jobId, firstInputs);
    await expectOneRecordPerInput(t.orchestrator, second.jobId, secondInputs);

    const j1 = (await t.orchestrator.store.getJob(first.jobId))!;
    const j2 = (await t.orchestrator.store.getJob(second.jobId))!;
    expect(j2.startedAt!.getTime()).toBeGreaterThanOrEqual(j1.endedAt!.getTime());
    expect(events.filter((e) => e.jobId === second.jobId).map((e) => e.status)).toEqual(['QUEUED', 'RUNNING', 'SUCCEEDED']);
    // The second job's task managers were all started after the first job's had exited.
    const lastExitOfFirst = Math.max(...t.backend.forJob(first.jobId).map((r) => r.exitedAt ?? Infinity));
    for (const r of t.backend.forJob(second.jobId)) expect(r.startedAt).toBeGreaterThanOrEqual(lastExitOfFirst);
    expect(t.backend.forJob(third.jobId)).toHaveLength(0);
    expect((await t.orchestrator.store.getJob(third.jobId))?.startedAt).toBeNull();
  });

  it('maxTaskManagers 3 with two jobs wanting 2 each: never more than 3 alive, the second shrinks to the free budget', async () => {
    t = await startTestOrchestrator(tdb.url, { maxJobManagers: 2, maxTaskManagers: 3, jobPolicy: 'fixedTaskManagers' });
    let sampledMax = 0;
    const sampler = setInterval(() => (sampledMax = Math.max(sampledMax, t?.backend.live() ?? 0)), 20);
    try {
      const aInputs = inputs(0, 6, 'job-a', 2);
      const bInputs = inputs(6, 6, 'job-b', 2);
      const a = await t.orchestrator.enqueueJob(baseJob('job-a', aInputs, { numTaskManagers: 2, splitSize: 2 }));
      const b = await t.orchestrator.enqueueJob(baseJob('job-b', bInputs, { numTaskManagers: 2, splitSize: 2 }));

      // Both running, job A's gated split still in progress on one of its two task managers.
      await Promise.all([images.server.waitForGatedRequest('job-a'), images.server.waitForGatedRequest('job-b')]);
      expect((await t.orchestrator.store.getJob(a.jobId))?.status).toBe('RUNNING');
      expect((await t.orchestrator.store.getJob(b.jobId))?.status).toBe('RUNNING');
      const started = (jobId: string) => t!.logs.find((l) => l.message === 'job started' && l.fields?.jobId === jobId)?.fields;
      expect(started(a.jobId)).toMatchObject({ taskManagers: 2, planned: 2 });
      expect(started(b.jobId)).toMatchObject({ taskManagers: 1, planned: 2 });
      expect(t.backend.liveForJob(a.jobId)).toBe(2);
      expect(t.backend.liveForJob(b.jobId)).toBe(1);
      expect(t.backend.live()).toBe(3);

      images.server.openGate('job-a');
      images.server.openGate('job-b');
      const [sa, sb] = await Promise.all([t.orchestrator.waitForJob(a.jobId), t.orchestrator.waitForJob(b.jobId)]);
      expect(sa.status).toBe('SUCCEEDED');
      expect(sb.status).toBe('SUCCEEDED');
      expect(sa.plan.numTaskManagers).toBe(2);
      await expectOneRecordPerInput(t.orchestrator, a.jobId, aInputs);
      await expectOneRecordPerInput(t.orchestrator, b.jobId, bInputs);
    } finally {
      clearInterval(sampler);
    }
    expect(t.backend.maxLive).toBe(3);
    expect(sampledMax).toBeLessThanOrEqual(3);

    // Every slot came back: a job wanting all three task managers now gets all three.
    const cInputs = inputs(0, 6, 'unused', 0);
    const c = await t.orchestrator.runJob(baseJob('job-c', cInputs, { numTaskManagers: 3, splitSize: 2 }));
    expect(c.status).toBe('SUCCEEDED');
    expect(t.logs.find((l) => l.message === 'job started' && l.fields?.jobId === c.jobId)?.fields).toMatchObject({ taskManagers: 3 });
  });
});
