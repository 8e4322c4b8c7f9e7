/**
 * (a) End-to-end through the task runtime: `createPipeline` over the shared session pool and one
 * `run` of every URL, after a short warm-up run on the same pipeline (keep-alive sockets open,
 * sharp's codecs loaded). Besides images/s it records where the time went: how busy the sessions
 * were, how fast they inferred compared with the bound, batch sizes and per-stage means.
 */
import { performance } from 'node:perf_hooks';
import { createPipeline, type LoadedModel, type SessionPool, type TaskManagerConfigInput } from '@offsample/task-runtime';
import type { BenchSettings } from '../../options.js';
import { startCpuMeter, type CpuReading } from '../../cpu-meter.js';
import { mean, perSecond } from '../../stats.js';

export interface PipelineFigure {
  images: number;
  wallMs: number;
  imagesPerSecond: number;
  errors: Record<string, number>;
  /** `session.run` calls and mean images per call. */
  batches: number;
  meanBatchSize: number;
  /** Sum of session.run time / (wall × sessions): 1 means inference never waited for input. */
  sessionUtilisation: number;
  /** `session.run` time per image (compare with the bound's: CPU taken by fetch/decode shows here). */
  inferMsPerImage: number;
  meanFetchMs: number;
  meanPreprocessMs: number;
  /** Cores kept busy by this process and by the others (a busy machine shows here). */
  cpu: CpuReading;
}

export function pipelineConfig(s: BenchSettings): TaskManagerConfigInput {
  return {
    load: { maxConcurrency: s.fetchConcurrency, allowLoopback: true },
    preprocess: { concurrency: s.preprocessConcurrency },
    predict: { batchSize: s.batchSize, sessions: s.sessions, intraOpThreads: s.intraOpThreads, allowSpinning: s.allowSpinning, runner: s.runner },
    // Room for two batches per session and two decodes per preprocess slot (never below the defaults).
    queues: { tensorCapacity: Math.max(32, 2 * s.batchSize * s.sessions), fetchedCapacity: Math.max(16, 2 * s.preprocessConcurrency) },
  };
}

export async function measurePipeline(
  model: LoadedModel,
  pool: SessionPool,
  settings: BenchSettings,
  urls: readonly string[],
  warmupItems: number,
): Promise<PipelineFigure> {
  const pipeline = await createPipeline(pipelineConfig(settings), model, { sessionPool: pool });
  try {
    await pipeline.run(urls.slice(0, warmupItems).map((input, index) => ({ index, input })));
    const batchesBefore = pipeline.stats().batches;
    const items = urls.map((input, index) => ({ index, input }));
    const stopMeter = startCpuMeter();
    const started = performance.now();
    const outcomes = await pipeline.run(items);
    const wallMs = performance.now() - started;
    const cpu = stopMeter();
    const batches = pipeline.stats().batches - batchesBefore;
    const errors: Record<string, number> = {};
    for (const o of outcomes) if (o.errorCode !== null) errors[o.errorCode] = (errors[o.errorCode] ?? 0) + 1;
    const ok = outcomes.filter((o) => o.errorCode === null);
    const inferMs = ok.reduce((sum, o) => sum + (o.inferMs ?? 0), 0);
    return {
      images: items.length,
      wallMs,
      imagesPerSecond: perSecond(ok.length, wallMs),
      errors,
      batches,
      meanBatchSize: ok.length / Math.max(1, batches),
      sessionUtilisation: inferMs / (wallMs * pool.slots.length),
      inferMsPerImage: inferMs / Math.max(1, ok.length),
      meanFetchMs: mean(ok.map((o) => o.fetchMs ?? 0)),
      meanPreprocessMs: mean(ok.map((o) => o.preprocessMs ?? 0)),
      cpu,
    };
  } finally {
    await pipeline.close();
  }
}
