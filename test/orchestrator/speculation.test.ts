/**
 * Speculation against a straggler: split 0's first fetches are held by the image server (a
 * straggling attempt), while a later copy of the split is answered at once. Once half the splits
 * are done and split 0 runs longer than 2 × the median, it gets a speculative copy; the first
 * completion wins and the straggler is told to stop.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../setup/database.js';
import {
  baseJob,
  expectNoChildLeft,
  expectNoErrorLogs,
  expectNoSplitDoneTwice,
  expectOneRecordPerInput,
  startTestImages,
  startTestOrchestrator,
  type TestImages,
  type TestOrchestrator,
} from './helpers.js';

describe('orchestrator: speculative copies of a straggling split', () => {
  let tdb: TestDatabase;
  let images: TestImages;
  let t: TestOrchestrator | undefined;

  beforeAll(async () => {
    [tdb, images] = await Promise.all([createTestDatabase(), startTestImages(8, 59)]);
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

  it('a straggling split gets a speculative copy; the first completion wins, exactly one result per input', async () => {
    t = await startTestOrchestrator(tdb.url, { maxTaskManagers: 3, jobPolicy: 'fixedTaskManagers' });
    const inputs = images.files.map((f, i) => images.server.urlFor(f, i < 2 ? 'straggler' : undefined, 'straggle'));

    const summary = await t.orchestrator.runJob(
      baseJob('speculation', inputs, {
        numTaskManagers: 2,
        splitSize: 2,
        maxSplitRetries: 1,
        speculation: { enabled: true, quantile: 0.5, multiplier: 2, extraTaskManagers: 1 },
      }),
    );
    images.server.openGate('straggler');

    expect(summary.status).toBe('SUCCEEDED');
    expect(summary).toMatchObject({ done: 8, failed: 0 });
    const rows = await expectOneRecordPerInput(t.orchestrator, summary.jobId, inputs);
    await expectNoSplitDoneTwice(t.orchestrator, summary.jobId);
    expect(t.logs.some((l) => l.message === 'speculative copy granted')).toBe(true);

    const split0 = (await t.orchestrator.store.listSplits(summary.jobId)).find((s) => s.ordinal === 0)!;
    const attempts = (await t.orchestrator.store.listAttempts(summary.jobId)).filter((a) => a.splitId === split0.splitId);
    expect(attempts).toHaveLength(2);
    const winner = attempts.find((a) => a.status === 'SUCCEEDED')!;
    const straggler = attempts.find((a) => a !== winner)!;
    expect(winner.speculative).toBe(true);
    expect(straggler).toMatchObject({ speculative: false, status: 'CANCELLED' });
    expect(winner.taskManagerId).not.toBe(straggler.taskManagerId);
    expect(rows.slice(0, 2).map((r) => r.attemptId)).toEqual([winner.attemptId, winner.attemptId]);
    // Every task manager, the straggler's included, left when told (abandon, then done): none killed.
    for (const tm of t.backend.forJob(summary.jobId)) expect(tm.exit).toMatchObject({ code: 0, signal: null });
  });
});
