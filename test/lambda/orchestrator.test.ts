/**
 * Whole jobs on the lambda backend: the Orchestrator with a LambdaBackend (real SDK) invoking the
 * deployed bundle on the local Lambda server, a real Postgres, images over HTTP.
 * - dynamic: Event invocations whose handlers pull splits from the worker endpoint on 127.0.0.1;
 *   their exits are seen through createStoreExitWatcher (final reports on the task-manager rows);
 * - static: RequestResponse invocations carrying their split; the outcomes come back in the response;
 * - a handler that fails (FunctionError) once per split: each split is retried and done once.
 */
import { Writable } from 'node:stream';
import { startStaticServer, type StaticServer } from '@offsample/cli/static-server';
import { generateDataset } from '@offsample/model';
import {
  buildLambdaBundle,
  compileOrchestratorOptions,
  createStoreExitWatcher,
  deployFunction,
  LambdaBackend,
  Orchestrator,
  type JobOptionsInput,
  type LambdaBundle,
} from '@offsample/orchestrator-core';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../setup/database.js';
import { lambdaClient, TEST_ROLE_ARN, tempDir, type TempDir } from './helpers.js';
import { startLocalLambdaServer, type LocalLambdaServer } from './local-lambda-server.js';

// Fails the first invocation of every static split (a marker folder per split, made atomically),
// then behaves like the real handler: a function error Lambda reports as `Unhandled`.
const FLAKY_HANDLER = `
import { mkdirSync } from 'node:fs';
import { handler as taskManager } from './dist/lambda.mjs';
export async function handler(event, context) {
  if (event.mode === 'static') {
    let first = true;
    try { mkdirSync(process.env.FLAKY_DIR + '/' + event.split.splitId); } catch { first = false; }
    if (first) throw new Error('injected failure for split ' + event.split.splitId);
  }
  return taskManager(event, context);
}
`;

interface Running {
  orchestrator: Orchestrator;
  backend: LambdaBackend;
  logs: { level: string; message: string; fields?: Record<string, unknown> }[];
  /** Error-level log messages this test expects. */
  expectedErrors: Set<string>;
}

describe('orchestrator jobs on the lambda backend', () => {
  let tdb: TestDatabase;
  let server: LocalLambdaServer;
  let client: LambdaClient;
  let tmp: TempDir;
  let images: StaticServer;
  let inputs: string[];
  let bundle: LambdaBundle;
  let running: Running | undefined;

  beforeAll(async () => {
    [tdb, server, tmp] = await Promise.all([createTestDatabase(), startLocalLambdaServer({ maxConcurrency: 4 }), tempDir('lambda-orch-test-')]);
    client = lambdaClient(server);
    const files = (await generateDataset({ count: 11, outDir: `${tmp.dir}/images`, seed: 21, minSizePx: 32, maxSizePx: 64 })).files.map((f) => f.file);
    images = await startStaticServer({ root: `${tmp.dir}/images` });
    inputs = files.map((f) => images.urlFor(f));
    inputs.splice(4, 0, images.urlFor('missing.png'));
    bundle = await buildLambdaBundle({ outDir: `${tmp.dir}/out`, extraFiles: { 'flaky.mjs': FLAKY_HANDLER } });
    const common = { client, roleArn: TEST_ROLE_ARN, zipPath: bundle.zipPath, memoryMb: 2_048, timeoutS: 60 };
    await Promise.all([
      deployFunction({ ...common, functionName: 'offsample-tm' }),
      deployFunction({ ...common, functionName: 'offsample-flaky', handler: 'flaky.handler', environment: { FLAKY_DIR: `${tmp.dir}/flaky` } }),
    ]);
    await import('node:fs/promises').then((fs) => fs.mkdir(`${tmp.dir}/flaky`));
  });
  afterEach(async () => {
    await running?.orchestrator.stop();
    if (running) {
      expect(running.backend.live()).toBe(0);
      expect(running.logs.filter((l) => l.level === 'error' && !running!.expectedErrors.has(l.message))).toEqual([]);
    }
    running = undefined;
    await server.drain();
  });
  afterAll(async () => {
    client?.destroy();
    await server?.close();
    await images?.close();
    await tdb?.drop();
    await tmp?.remove();
  });

  async function start(functionName: string): Promise<Running> {
    const logs: Running['logs'] = [];
    let orchestrator: Orchestrator | undefined;
    // The orchestrator's own settings name the function and the endpoint; the backend is made from them.
    const options = { maxJobManagers: 1, maxTaskManagers: 3, schedulerTickMs: 100, backends: { lambda: { functionName, maxTaskManagers: 3, region: server.region, endpoint: server.url } } };
    const lambda = compileOrchestratorOptions(options).backends.lambda;
    const backend = new LambdaBackend({
      functionName: lambda.functionName,
      region: lambda.region,
      endpoint: lambda.endpoint,
      qualifier: lambda.alias,
      credentials: { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-test-secret' },
      // attach() would supply a store watcher by itself; a shorter poll keeps the test quick.
      watchExit: createStoreExitWatcher(() => orchestrator!.store, { pollMs: 200 }),
      log: (level, message, fields) => logs.push({ level, message, ...(fields ? { fields } : {}) }),
    });
    orchestrator = new Orchestrator(options, {
      databaseUrl: tdb.url,
      backends: { lambda: backend },
      printSink: new Writable({ write: (_chunk, _enc, cb) => cb() }),
      log: (level, message, fields) => logs.push({ level, message, ...(fields ? { fields } : {}) }),
      taskManagerIdleTimeoutMs: 2_000,
      stopGraceMs: 3_000,
    });
    await orchestrator.start();
    running = { orchestrator, backend, logs, expectedErrors: new Set() };
    return running;
  }

  const job = (name: string, extra: Partial<JobOptionsInput>): JobOptionsInput => ({
    name,
    inputs,
    backend: 'lambda',
    splitSize: 3,
    numTaskManagers: 3,
    leaseMs: 10_000,
    keepAlive: { enabled: true, intervalMs: 500 },
    taskManagerConfig: { load: { allowLoopback: true, timeoutMs: 10_000 } },
    ...extra,
  });

  async function expectOneRecordPerInput(orchestrator: Orchestrator, jobId: string): Promise<void> {
    const rows = await orchestrator.store.listResults(jobId, { limit: 1_000 });
    expect(rows.map((r) => r.inputIndex)).toEqual(inputs.map((_, i) => i));
    for (const r of rows) {
      expect(r.input).toBe(inputs[r.inputIndex]);
      expect((r.label === null) !== (r.errorCode === null)).toBe(true);
    }
    expect(rows[4]!.errorCode).toBe('NOT_FOUND');
    expect(rows.filter((r) => r.label !== null)).toHaveLength(inputs.length - 1);
  }

  it('dynamic: Event invocations pull every split from the worker endpoint; each task manager is seen to exit', async () => {
    const { orchestrator, backend } = await start('offsample-tm');
    const before = server.invocations.length;
    const summary = await orchestrator.runJob(job('lambda-dynamic', { splitMode: 'dynamic' }));
    expect(summary.status).toBe('SUCCEEDED');
    expect(summary.plan).toMatchObject({ splitSize: 3, numSplits: 4, numTaskManagers: 3 });
    expect(summary.done).toBe(inputs.length - 1);
    expect(summary.failed).toBe(1);
    await expectOneRecordPerInput(orchestrator, summary.jobId);
    expect(summary.splits.map((s) => [s.status, s.attempts])).toEqual(Array.from({ length: 4 }, () => ['DONE', 1]));

    // Three Event invocations did the work; each sent its final report and was seen to exit.
    await server.drain();
    const invocations = server.invocations.slice(before);
    expect(invocations.map((i) => [i.functionName, i.type, i.ok])).toEqual(Array.from({ length: 3 }, () => ['offsample-tm', 'Event', true]));
    const tms = await orchestrator.store.listTaskManagers(summary.jobId);
    expect(tms).toHaveLength(3);
    for (const tm of tms) expect(tm).toMatchObject({ backend: 'lambda', status: 'EXITED', error: null, report: expect.objectContaining({ exitReason: expect.stringMatching(/^(JOB_DONE|IDLE)$/) }) });
    expect(tms.reduce((n, tm) => n + tm.items, 0)).toBe(inputs.length);
    expect(backend.live()).toBe(0);
  });

  it('static: one RequestResponse invocation per split; the outcomes come back in the responses', async () => {
    const { orchestrator } = await start('offsample-tm');
    const before = server.invocations.length;
    const summary = await orchestrator.runJob(job('lambda-static', { splitMode: 'static' }));
    expect(summary.status).toBe('SUCCEEDED');
    await expectOneRecordPerInput(orchestrator, summary.jobId);
    expect(summary.splits.every((s) => s.status === 'DONE' && s.attempts === 1)).toBe(true);
    const invocations = server.invocations.slice(before);
    expect(invocations).toHaveLength(4);
    expect(invocations.every((i) => i.type === 'RequestResponse' && i.ok === true)).toBe(true);
    const tms = await orchestrator.store.listTaskManagers(summary.jobId);
    expect(tms.map((tm) => tm.status)).toEqual(['EXITED', 'EXITED', 'EXITED', 'EXITED']);
    expect(tms.reduce((n, tm) => n + tm.items, 0)).toBe(inputs.length);
  });

  it('dynamic: a task manager that cannot start reports ERROR itself, so its exit is seen at once (not at the function timeout)', async () => {
    const { orchestrator, expectedErrors } = await start('offsample-tm');
    expectedErrors.add('job failed');
    // A model folder that does not exist where the function runs: every task manager fails to load it.
    const summary = await orchestrator.runJob(job('lambda-no-model', { splitMode: 'dynamic', inputs: inputs.slice(0, 3), numTaskManagers: 1, model: { dir: '/nonexistent/model' } }));
    expect(summary.status).toBe('FAILED');
    const tms = await orchestrator.store.listTaskManagers(summary.jobId);
    // Started until the restart budget ran out (1 + 2), each ended by its own ERROR report.
    expect(tms).toHaveLength(3);
    for (const tm of tms) {
      expect(tm.status).toBe('FAILED');
      expect(tm.error).toMatch(/^task manager failed: MODEL_LOAD_FAILED: .*\/nonexistent\/model/);
      expect(tm.report).toMatchObject({ exitReason: 'ERROR', items: 0 });
    }
    const rows = await orchestrator.store.listResults(summary.jobId, { limit: 10 });
    expect(rows.map((r) => r.errorCode === null)).toEqual([false, false, false]);
  });

  it('static: a function error releases the split, which is retried and done exactly once', async () => {
    const { orchestrator, logs } = await start('offsample-flaky');
    const before = server.invocations.length;
    const summary = await orchestrator.runJob(job('lambda-flaky', { splitMode: 'static', maxSplitRetries: 1 }));
    expect(summary.status).toBe('SUCCEEDED');
    await expectOneRecordPerInput(orchestrator, summary.jobId);
    expect(summary.splits.map((s) => [s.status, s.attempts])).toEqual(Array.from({ length: 4 }, () => ['DONE', 2]));

    const invocations = server.invocations.slice(before);
    expect(invocations.filter((i) => i.ok === false).map((i) => i.errorType)).toEqual(['Error', 'Error', 'Error', 'Error']);
    expect(invocations.filter((i) => i.ok === true)).toHaveLength(4);
    const attempts = await orchestrator.store.listAttempts(summary.jobId);
    const won = new Map<string, number>();
    for (const a of attempts) if (a.status === 'SUCCEEDED') won.set(a.splitId, (won.get(a.splitId) ?? 0) + 1);
    expect([...won.values()]).toEqual([1, 1, 1, 1]);
    const failed = (await orchestrator.store.listTaskManagers(summary.jobId)).filter((tm) => tm.status === 'FAILED');
    expect(failed).toHaveLength(4);
    for (const tm of failed) expect(tm.error).toMatch(/^function error \(Error\): injected failure for split [0-9a-f-]+$/);
    expect(logs.filter((l) => l.message === 'task manager failed')).toHaveLength(4);
  });
});
