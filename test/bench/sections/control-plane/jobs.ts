/** Bench jobs: created through the real store (createJob), RUNNING, with their token secret. */
import { performance } from 'node:perf_hooks';
import type { PgSplitStore } from '@offsample/orchestrator-core';

export interface BenchJob {
  jobId: string;
  secret: Buffer;
  splits: number;
  itemsPerSplit: number;
  createMs: number;
}

/** Inputs look like the object keys of a real job (~40 characters each). */
export function benchInput(index: number): string {
  return `s3://offsample-bench/ion-images/${String(index).padStart(8, '0')}.png`;
}

export async function createRunningJob(store: PgSplitStore, name: string, splits: number, itemsPerSplit: number, taskManagers: number): Promise<BenchJob> {
  const t = performance.now();
  const inputs = Array.from({ length: splits * itemsPerSplit }, (_, i) => benchInput(i));
  const jobId = await store.createJob({
    name,
    backend: 'local',
    splitMode: 'dynamic',
    splitSize: itemsPerSplit,
    numTaskManagers: taskManagers,
    maxSplitRetries: 0,
    inputs,
    settings: { bench: name },
  });
  if (!(await store.markJobRunning(jobId))) throw new Error(`bench job ${jobId} did not start`);
  const job = await store.getJobWithSettings(jobId);
  if (job === null) throw new Error(`bench job ${jobId} not found after creation`);
  // The Orchestrator turns the stored hex secret into the HMAC key the same way.
  return { jobId, secret: Buffer.from(job.workerSecret, 'hex'), splits, itemsPerSplit, createMs: performance.now() - t };
}
