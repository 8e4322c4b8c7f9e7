/**
 * (b) The model-only bound: the pipeline's own sessions on tensors decoded beforehand, in full
 * batches of predict.batchSize, each session taking the next batch as soon as it is free (the
 * pipeline's infer stage does the same with what is waiting). `slot.predictEach` is the pipeline's
 * batch runner (same runner: main thread or worker threads), so per-call work (packing, transfer
 * to the worker, softmax) is counted on both sides.
 */
import { performance } from 'node:perf_hooks';
import type { SessionPool } from '@offsample/task-runtime';
import { startCpuMeter, type CpuReading } from '../../cpu-meter.js';
import { perSecond } from '../../stats.js';

export interface BoundFigure {
  images: number;
  wallMs: number;
  imagesPerSecond: number;
  /** `session.run` time per image, summed over sessions (equals wall / images with one session). */
  inferMsPerImage: number;
  /** Cores kept busy by this process and by the others (a busy machine shows here). */
  cpu: CpuReading;
  failed: number;
}

export async function warmUpSessions(pool: SessionPool, tensors: readonly Float32Array[], batchSize: number, batches: number): Promise<void> {
  for (const slot of pool.slots) {
    for (let i = 0; i < batches; i++) await slot.predictEach(tensors.slice(0, batchSize));
  }
}

export async function measureBound(pool: SessionPool, tensors: readonly Float32Array[], batchSize: number): Promise<BoundFigure> {
  let next = 0;
  let inferMs = 0;
  let failed = 0;
  const stopMeter = startCpuMeter();
  const started = performance.now();
  await Promise.all(
    pool.slots.map(async (slot) => {
      while (next < tensors.length) {
        const from = next;
        next = Math.min(tensors.length, from + batchSize);
        const results = await slot.predictEach(tensors.slice(from, next));
        for (const r of results) {
          inferMs += r.inferMs;
          if (!r.ok) failed++;
        }
      }
    }),
  );
  const wallMs = performance.now() - started;
  const cpu = stopMeter();
  return {
    images: tensors.length,
    wallMs,
    imagesPerSecond: perSecond(tensors.length, wallMs),
    inferMsPerImage: inferMs / tensors.length,
    cpu,
    failed,
  };
}

/** Two bound measurements as one (time-weighted), e.g. the halves taken before and after a pipeline run. */
export function combineBounds(a: BoundFigure, b: BoundFigure): BoundFigure {
  const wallMs = a.wallMs + b.wallMs;
  const images = a.images + b.images;
  const weigh = (x: number, y: number) => (x * a.wallMs + y * b.wallMs) / wallMs;
  return {
    images,
    wallMs,
    imagesPerSecond: perSecond(images, wallMs),
    inferMsPerImage: (a.inferMsPerImage * a.images + b.inferMsPerImage * b.images) / images,
    cpu: {
      ownCores: weigh(a.cpu.ownCores, b.cpu.ownCores),
      machineCores: weigh(a.cpu.machineCores, b.cpu.machineCores),
      otherCores: weigh(a.cpu.otherCores, b.cpu.otherCores),
    },
    failed: a.failed + b.failed,
  };
}
