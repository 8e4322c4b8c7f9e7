/**
 * runJob end to end on the local backend: real task-manager processes pulling splits over HTTP
 * from the worker endpoint, images from a real HTTP server, results in a real Postgres.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
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

describe('orchestrator: jobs end to end on local task managers', () => {
  let tdb: TestDatabase;
  let images: TestImages;
  let outDir: string;
  let t: TestOrchestrator | undefined;

  beforeAll(async () => {
    [tdb, images, outDir] = await Promise.all([
      createTestDatabase(),
      startTestImages(20, 11),
      mkdtemp(path.join(tmpdir(), 'offsample-orch-out-')),
    ]);
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
    await rm(outDir, { recursive: true, force: true });
    await tdb?.drop();
  });

  it('runs a dynamic job on 3 task managers: one record per input, error records for bad inputs, local output', async () => {
    t = await startTestOrchestrator(tdb.url, { maxTaskManagers: 3 });
    const inputs = images.files.map((f) => images.server.urlFor(f));
    inputs.splice(3, 0, images.server.urlFor('missing.png'));
    inputs.splice(9, 0, images.server.urlFor(images.textFile));
    const location = path.join(outDir, 'dynamic');

    const summary = await t.orchestrator.runJob(
      baseJob('e2e-dynamic', inputs, { numTaskManagers: 3, splitSize: 4, output: { storage: 'local', location } }),
    );

    expect(summary.status).toBe('SUCCEEDED');
    expect(summary.totalInputs).toBe(22);
    expect(summary.plan).toMatchObject({ splitSize: 4, numSplits: 6, numTaskManagers: 3 });
    expect(summary.done).toBe(20);
    expect(summary.failed).toBe(2);
    expect(summary.errorsByCode.map((e) => e.code).sort()).toEqual(['NOT_AN_IMAGE', 'NOT_FOUND']);
    expect(summary.splits).toHaveLength(6);
    expect(summary.splits.every((s) => s.status === 'DONE')).toBe(true);
    expect(summary.output).toEqual({ storage: 'local', location });
    // Real task managers did the work: three started, and their reports add up to every input.
    expect(t.backend.started).toHaveLength(3);
    expect(summary.taskManagers).toHaveLength(3);
    expect(summary.taskManagers.reduce((n, tm) => n + tm.items, 0)).toBe(22);

    const rows = await expectOneRecordPerInput(t.orchestrator, summary.jobId, inputs);
    expect(rows[3]!.errorCode).toBe('NOT_FOUND');
    expect(rows[9]!.errorCode).toBe('NOT_AN_IMAGE');
    expect(rows.filter((r) => r.label !== null)).toHaveLength(20);
    await expectNoSplitDoneTwice(t.orchestrator, summary.jobId);
    const job = await t.orchestrator.store.getJob(summary.jobId);
    expect(job).toMatchObject({ status: 'SUCCEEDED', doneCount: 20, errorCount: 2 });

    const lines = (await readFile(path.join(location, 'results.jsonl'), 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.index)).toEqual(inputs.map((_, i) => i));
    expect(lines.map((l) => l.input)).toEqual(inputs);
    expect(lines[3]!.error).toMatchObject({ code: 'NOT_FOUND' });
    expect(lines.filter((l) => typeof l.label === 'string')).toHaveLength(20);
    const written = JSON.parse(await readFile(path.join(location, 'summary.json'), 'utf8')) as Record<string, unknown>;
    expect(written).toMatchObject({ jobId: summary.jobId, status: 'SUCCEEDED', totalInputs: 22, done: 20, failed: 2 });
    // print output was not asked for
    expect(t.printed()).toBe('');
  });

  it('print output goes to the print sink, one line per input in input order', async () => {
    t = await startTestOrchestrator(tdb.url, { maxTaskManagers: 2 });
    const inputs = images.files.slice(0, 7).map((f) => images.server.urlFor(f));
    inputs.push(images.server.urlFor('nope.png'));

    const summary = await t.orchestrator.runJob(baseJob('e2e-print', inputs, { numTaskManagers: 2, splitSize: 3, output: { storage: 'print' } }));

    expect(summary.status).toBe('SUCCEEDED');
    expect(summary).toMatchObject({ done: 7, failed: 1, output: { storage: 'print', location: null } });
    const lines = t.printed().trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(lines.map((l) => l.input)).toEqual(inputs);
    expect(lines[7]!.error).toMatchObject({ code: 'NOT_FOUND' });
    await expectOneRecordPerInput(t.orchestrator, summary.jobId, inputs);
  });

  it('runs a static-split job (each invocation gets its split in the payload): one record per input', async () => {
    t = await startTestOrchestrator(tdb.url, { maxTaskManagers: 2 });
    const inputs = images.files.slice(0, 10).map((f) => images.server.urlFor(f));
    inputs.push(images.server.urlFor(images.textFile));

    const summary = await t.orchestrator.runJob(
      baseJob('e2e-static', inputs, { numTaskManagers: 2, splitSize: 4, splitMode: 'static', output: { storage: 'print' } }),
    );

    expect(summary.status).toBe('SUCCEEDED');
    expect(summary).toMatchObject({ totalInputs: 11, done: 10, failed: 1 });
    expect(summary.plan.numSplits).toBe(3);
    const rows = await expectOneRecordPerInput(t.orchestrator, summary.jobId, inputs);
    expect(rows[10]!.errorCode).toBe('NOT_AN_IMAGE');
    await expectNoSplitDoneTwice(t.orchestrator, summary.jobId);
    // Static mode starts one task manager per split: three invocations, none still alive.
    expect(t.backend.forJob(summary.jobId)).toHaveLength(3);
    const attempts = await t.orchestrator.store.listAttempts(summary.jobId);
    expect(attempts.filter((a) => a.status === 'SUCCEEDED')).toHaveLength(3);
    expect(t.printed().trimEnd().split('\n')).toHaveLength(11);
  });
});
