/**
 * Infer stage: a pool of onnxruntime-node sessions and the batch runner. A batch is the tensors
 * that were waiting when a session became free (up to predict.batchSize), concatenated into one
 * [n, C, H, W] input; a failed batch is retried item by item so one bad tensor fails alone.
 */
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import { softmax, type ModelManifest } from '@offsample/model';
import { TASK_MANAGER_DEFAULTS } from './defaults.js';
import { ItemErrorCode, normalizeError, OffsampleError, TaskErrorCode } from './errors.js';

/** What `loadModel(dir)` from @offsample/model returns. */
export interface LoadedModel {
  manifest: ModelManifest;
  modelPath: string;
}

export interface SessionPool {
  readonly model: LoadedModel;
  readonly sessions: readonly ort.InferenceSession[];
  /** Largest batch the graph accepts: its fixed batch dimension, else unlimited. */
  readonly fixedBatch: number | undefined;
  readonly intraOpThreads: number;
  readonly allowSpinning: boolean;
  release(): Promise<void>;
}

export interface Prediction {
  label: string;
  probabilities: number[];
}

export async function createSessionPool(
  model: LoadedModel,
  predict: { sessions: number; intraOpThreads: number; allowSpinning?: boolean },
): Promise<SessionPool> {
  const allowSpinning = predict.allowSpinning ?? TASK_MANAGER_DEFAULTS.predict.allowSpinning;
  const spinning = allowSpinning ? '1' : '0';
  const options: ort.InferenceSession.SessionOptions = {
    intraOpNumThreads: predict.intraOpThreads,
    // Parallelism comes from intra-op threads and several sessions, not from running graph branches at once.
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // Session config entries (onnxruntime_session_options_config_keys.h); the Node binding joins
    // nested keys with '.' and wants string values.
    extra: { session: { intra_op: { allow_spinning: spinning }, inter_op: { allow_spinning: spinning } } },
  };
  const sessions: ort.InferenceSession[] = [];
  try {
    for (let i = 0; i < predict.sessions; i++) sessions.push(await ort.InferenceSession.create(model.modelPath, options));
  } catch (err) {
    await Promise.allSettled(sessions.map((s) => s.release()));
    throw new OffsampleError(TaskErrorCode.MODEL_LOAD_FAILED, `cannot load ${model.modelPath}: ${(err as Error).message}`, { cause: err });
  }
  const first = sessions[0]!;
  const input = first.inputMetadata.find((m) => m.name === model.manifest.inputName);
  if (input === undefined || !first.outputNames.includes(model.manifest.outputName)) {
    await Promise.allSettled(sessions.map((s) => s.release()));
    throw new OffsampleError(
      TaskErrorCode.MODEL_LOAD_FAILED,
      `model graph has inputs [${first.inputNames.join(', ')}] and outputs [${first.outputNames.join(', ')}]; the manifest names ${model.manifest.inputName} → ${model.manifest.outputName}`,
    );
  }
  const dim0 = input.isTensor ? input.shape[0] : undefined;
  return {
    model,
    sessions,
    fixedBatch: typeof dim0 === 'number' && dim0 > 0 ? dim0 : undefined,
    intraOpThreads: predict.intraOpThreads,
    allowSpinning,
    async release() {
      await Promise.allSettled(sessions.map((s) => s.release()));
    },
  };
}

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** One `session.run` over `tensors` (each C·H·W long); padded when the graph's batch is fixed. */
export async function predictBatch(session: ort.InferenceSession, pool: SessionPool, tensors: readonly Float32Array[]): Promise<Prediction[]> {
  const { manifest } = pool.model;
  const plane = manifest.channels * manifest.height * manifest.width;
  const n = tensors.length;
  const rows = pool.fixedBatch ?? n;
  if (n > rows) throw new OffsampleError(ItemErrorCode.INTERNAL, `batch of ${n} exceeds the graph's fixed batch ${rows}`);
  const data = new Float32Array(rows * plane);
  tensors.forEach((t, i) => {
    if (t.length !== plane) throw new OffsampleError(ItemErrorCode.INFERENCE_FAILED, `tensor has ${t.length} values, the model wants ${plane}`);
    data.set(t, i * plane);
  });
  const feed = new ort.Tensor('float32', data, [rows, manifest.channels, manifest.height, manifest.width]);
  const result = await session.run({ [manifest.inputName]: feed });
  const output = result[manifest.outputName];
  const classes = manifest.labels.length;
  if (output === undefined || !(output.data instanceof Float32Array) || output.data.length !== rows * classes) {
    throw new OffsampleError(ItemErrorCode.INFERENCE_FAILED, `model output ${manifest.outputName} is not float32 [${rows}, ${classes}]`);
  }
  const values = output.data;
  const predictions: Prediction[] = [];
  for (let i = 0; i < n; i++) {
    const row = values.subarray(i * classes, (i + 1) * classes);
    const probabilities = manifest.output === 'logits' ? softmax(row) : Array.from(row);
    if (!probabilities.every(Number.isFinite)) {
      // One NaN row must not poison the batch: the caller retries the items one by one.
      throw new OffsampleError(ItemErrorCode.INFERENCE_FAILED, `model output for item ${i} of the batch is not finite`);
    }
    predictions.push({ label: manifest.labels[argmax(probabilities)]!, probabilities });
  }
  return predictions;
}

/** Per item: its prediction or its error, and its share of `session.run` time. */
export type ItemPrediction = ({ ok: true; prediction: Prediction } | { ok: false; error: OffsampleError }) & { inferMs: number };

function asInferenceError(err: unknown): OffsampleError {
  const e = normalizeError(err);
  return e.code === ItemErrorCode.INTERNAL ? new OffsampleError(ItemErrorCode.INFERENCE_FAILED, e.message, { cause: err }) : e;
}

/**
 * Run `tensors` as one batch; if the batch fails, run its items one by one so only the bad ones
 * fail. `onRun` is told about every `session.run` (for batch counts and logs).
 */
export async function predictEach(
  session: ort.InferenceSession,
  pool: SessionPool,
  tensors: readonly Float32Array[],
  onRun: (size: number, error?: OffsampleError) => void = () => undefined,
): Promise<ItemPrediction[]> {
  const timed = async (batch: readonly Float32Array[]) => {
    const started = performance.now();
    try {
      const predictions = await predictBatch(session, pool, batch);
      onRun(batch.length);
      return { predictions, ms: (performance.now() - started) / batch.length };
    } catch (err) {
      const error = asInferenceError(err);
      onRun(batch.length, error);
      throw error;
    }
  };
  try {
    const { predictions, ms } = await timed(tensors);
    return predictions.map((prediction) => ({ ok: true, prediction, inferMs: ms }));
  } catch (batchError) {
    if (tensors.length === 1) return [{ ok: false, error: batchError as OffsampleError, inferMs: 0 }];
  }
  const results: ItemPrediction[] = [];
  for (const tensor of tensors) {
    try {
      const { predictions, ms } = await timed([tensor]);
      results.push({ ok: true, prediction: predictions[0]!, inferMs: ms });
    } catch (err) {
      results.push({ ok: false, error: err as OffsampleError, inferMs: 0 });
    }
  }
  return results;
}
