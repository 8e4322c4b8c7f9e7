/**
 * The task runtime's pull loop lets its next claim ride on the complete request (`claimNext`):
 * a real dynamic task manager (in this process, the shipped model) against the real worker
 * endpoint and Postgres store, with its worker client counted call by call.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runTaskManager } from '@offsample/task-runtime';
import { createWorkerClient, type WorkerClient } from '@offsample/task-runtime/worker-client';
import { createJobSecret, createWorkerToken, startWorkerEndpoint, type WorkerEndpoint } from '@offsample/orchestrator-core';
import { openTestStore, type TestStore } from '../setup/store.js';
import { startTestImages, type TestImages } from './helpers.js';

let t: TestStore;
let images: TestImages;
let endpoint: WorkerEndpoint;

beforeAll(async () => {
  [t, images] = await Promise.all([openTestStore({ waitRetryMs: 25 }), startTestImages(40, 5)]);
  endpoint = await startWorkerEndpoint({
    store: t.store,
    secrets: { secretFor: async (jobId) => Buffer.from((await t.store.getJobWithSettings(jobId))?.workerSecret ?? '', 'hex') },
    leaseMs: 30_000,
  });
});
afterAll(async () => {
  await endpoint?.close();
  await images?.close();
  await t?.close();
});

it('a dynamic task manager completes and claims in one request: far fewer claim calls than splits, one record per input', async () => {
  const secret = createJobSecret();
  const inputs = images.files.map((f) => images.server.urlFor(f));
  const jobId = await t.store.createJob({
    name: 'claim-next', backend: 'local', splitMode: 'dynamic', splitSize: 2, numTaskManagers: 1, maxSplitRetries: 1,
    inputs, settings: {}, workerSecret: secret.toString('hex'),
  });
  await t.store.markJobRunning(jobId);
  const calls = { claim: 0, complete: 0, completeWithNext: 0, nextSplits: 0 };
  const result = await runTaskManager(
    {
      version: 1, mode: 'dynamic', jobId, taskManagerId: 'tm-1',
      endpoint: { url: endpoint.url, token: createWorkerToken(secret, jobId, 'tm-1') },
      config: { load: { allowLoopback: true } },
      idleTimeoutMs: 2_000,
    },
    {
      createClient: (options): WorkerClient => {
        const client = createWorkerClient(options);
        return {
          ...client,
          url: client.url,
          claim: (request) => {
            calls.claim++;
            return client.claim(request);
          },
          complete: async (request) => {
            calls.complete++;
            if (request.claimNext) calls.completeWithNext++;
            const answer = await client.complete(request);
            if (answer.next?.kind === 'split') calls.nextSplits++;
            return answer;
          },
        };
      },
    },
  );
  expect(result.report.exitReason).toBe('JOB_DONE');
  expect(calls.complete).toBe(20);
  // Every split was claimed exactly once, by a claim call or riding on a complete.
  expect(calls.claim + calls.nextSplits).toBeGreaterThanOrEqual(20);
  expect(calls.nextSplits).toBeGreaterThanOrEqual(10);
  expect(calls.claim).toBeLessThan(10);
  const { rows } = await t.db.pool.query('SELECT count(*)::int AS n, count(DISTINCT input_index)::int AS inputs FROM results WHERE job_id = $1', [jobId]);
  expect(rows[0]).toEqual({ n: 40, inputs: 40 });
  const attempts = await t.store.listAttempts(jobId);
  expect(attempts).toHaveLength(20);
  expect(attempts.every((a) => a.status === 'SUCCEEDED')).toBe(true);
});
