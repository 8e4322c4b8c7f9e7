/**
 * The session pool: `predict.sessions` onnxruntime sessions, each behind an `InferenceSlot` that
 * takes one batch at a time. Where `session.run` executes is `predict.runner`:
 * - `worker`: one worker thread per session (infer-worker.ts); batches travel packed and
 *   transferred, the event loop stays free, and several sessions infer in parallel.
 * - `main`: the sessions live in the calling thread; onnxruntime-node blocks it for each batch.
 * Both runners go through the same inference core (infer.ts), so they give identical outputs.
 */
import type { InferenceSession } from 'onnxruntime-node';
import type { Worker } from 'node:worker_threads';
import { TASK_MANAGER_DEFAULTS } from './defaults.js';
import { ItemErrorCode, OffsampleError } from './errors.js';
import { startWorkerSession, type WorkerSession } from './infer-worker.js';
import {
  checkTensor,
  loadSession,
  packBatch,
  predictPacked,
  runPacked,
  type ItemPrediction,
  type LoadedModel,
  type OnRun,
  type Prediction,
  type SessionSettings,
} from './infer.js';

export type InferenceRunner = 'worker' | 'main';

export interface InferenceSlot {
  /** One `session.run` over `tensors`; rejects (INFERENCE_FAILED) when it fails. */
  predictBatch(tensors: readonly Float32Array[]): Promise<Prediction[]>;
  /**
   * The batch, then its items one by one if the batch failed, so only bad items fail. Resolves
   * with one result per tensor; a tensor of the wrong size fails alone without being run.
   */
  predictEach(tensors: readonly Float32Array[], onRun?: OnRun): Promise<ItemPrediction[]>;
  /** The worker thread serving this slot (runner `worker`, while it runs). */
  readonly thread: Worker | undefined;
}

export interface SessionPool {
  readonly model: LoadedModel;
  readonly slots: readonly InferenceSlot[];
  /** Largest batch the graph accepts: its fixed batch dimension, else unlimited. */
  readonly fixedBatch: number | undefined;
  readonly intraOpThreads: number;
  readonly allowSpinning: boolean;
  readonly runner: InferenceRunner;
  /** Releases the sessions and terminates the worker threads. */
  release(): Promise<void>;
}

export interface SessionPoolSettings {
  sessions: number;
  intraOpThreads: number;
  allowSpinning?: boolean;
  runner?: InferenceRunner;
}

/** Validates sizes, packs the good tensors, runs them through `run`, and puts the results back in order. */
async function eachOf(
  model: LoadedModel,
  fixedBatch: number | undefined,
  tensors: readonly Float32Array[],
  run: (data: Float32Array, n: number) => Promise<ItemPrediction[]>,
): Promise<ItemPrediction[]> {
  const results = new Array<ItemPrediction | undefined>(tensors.length);
  const good: number[] = [];
  tensors.forEach((t, i) => {
    try {
      checkTensor(t, model.manifest);
      good.push(i);
    } catch (err) {
      results[i] = { ok: false, error: err as OffsampleError, inferMs: 0 };
    }
  });
  if (good.length > 0) {
    const data = packBatch(model.manifest, fixedBatch, good.map((i) => tensors[i]!));
    let ran: ItemPrediction[];
    try {
      ran = await run(data, good.length);
    } catch (err) {
      const error = err instanceof OffsampleError ? err : new OffsampleError(ItemErrorCode.INFERENCE_FAILED, String(err), { cause: err });
      ran = good.map(() => ({ ok: false, error, inferMs: 0 }));
    }
    good.forEach((i, k) => (results[i] = ran[k] ?? { ok: false, error: new OffsampleError(ItemErrorCode.INTERNAL, 'no inference result'), inferMs: 0 }));
  }
  return results as ItemPrediction[];
}

function mainSlot(model: LoadedModel, session: InferenceSession, fixedBatch: number | undefined): InferenceSlot {
  return {
    thread: undefined,
    predictBatch: async (tensors) => runPacked(session, model.manifest, packBatch(model.manifest, fixedBatch, tensors), tensors.length),
    predictEach: (tensors, onRun = () => undefined) =>
      eachOf(model, fixedBatch, tensors, (data, n) => predictPacked(session, model.manifest, fixedBatch, data, n, onRun)),
  };
}

function workerSlot(model: LoadedModel, ws: WorkerSession): InferenceSlot {
  return {
    get thread() {
      return ws.thread;
    },
    predictBatch: async (tensors) => ws.request('batch', packBatch(model.manifest, ws.fixedBatch, tensors), tensors.length),
    predictEach: (tensors, onRun = () => undefined) => eachOf(model, ws.fixedBatch, tensors, (data, n) => ws.request('each', data, n, onRun)),
  };
}

export async function createSessionPool(model: LoadedModel, predict: SessionPoolSettings): Promise<SessionPool> {
  const settings: SessionSettings = {
    intraOpThreads: predict.intraOpThreads,
    allowSpinning: predict.allowSpinning ?? TASK_MANAGER_DEFAULTS.predict.allowSpinning,
  };
  const runner = predict.runner ?? TASK_MANAGER_DEFAULTS.predict.runner;
  const releases: Array<() => Promise<void>> = [];
  const releaseAll = async () => {
    await Promise.allSettled(releases.map((r) => r()));
  };
  const slots: InferenceSlot[] = [];
  let fixedBatch: number | undefined;
  try {
    if (runner === 'worker') {
      // Loaded side by side: each worker reads the model and builds its session on its own thread.
      const started = await Promise.allSettled(Array.from({ length: predict.sessions }, () => startWorkerSession(model, settings)));
      for (const r of started) if (r.status === 'fulfilled') releases.push(() => r.value.release());
      const failed = started.find((r) => r.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
      for (const r of started) if (r.status === 'fulfilled') slots.push(workerSlot(model, r.value));
      fixedBatch = started[0]!.status === 'fulfilled' ? started[0]!.value.fixedBatch : undefined;
    } else {
      for (let i = 0; i < predict.sessions; i++) {
        const { session, fixedBatch: fb } = await loadSession(model, settings);
        releases.push(() => session.release());
        slots.push(mainSlot(model, session, fb));
        fixedBatch = fb;
      }
    }
  } catch (err) {
    await releaseAll();
    throw err;
  }
  let released: Promise<void> | undefined;
  return {
    model,
    slots,
    fixedBatch,
    intraOpThreads: settings.intraOpThreads,
    allowSpinning: settings.allowSpinning,
    runner,
    release: () => (released ??= releaseAll()),
  };
}
