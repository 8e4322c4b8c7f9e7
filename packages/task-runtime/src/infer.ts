/**
 * Inference core: what one onnxruntime-node session does with one batch, wherever that session
 * lives (the calling thread, or a worker thread: see session-pool.ts and infer-worker.ts). Both
 * runners call these same functions, so their outputs are identical by construction.
 *
 * A batch travels as one packed [rows, C, H, W] float32 buffer (the tensors copied in once, padded
 * when the graph's batch dimension is fixed); a failed batch is retried item by item from slices
 * of that buffer, so one bad tensor fails alone.
 */
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import { softmax, type ModelManifest } from '@offsample/model';
import { ItemErrorCode, normalizeError, OffsampleError, TaskErrorCode } from './errors.js';

/** What `loadModel(dir)` from @offsample/model returns. */
export interface LoadedModel {
  manifest: ModelManifest;
  modelPath: string;
}

export interface Prediction {
  label: string;
  probabilities: number[];
}

/** Per item: its prediction or its error, and its share of `session.run` time. */
export type ItemPrediction = ({ ok: true; prediction: Prediction } | { ok: false; error: OffsampleError }) & { inferMs: number };

/** Told about every `session.run` (batch counts, logs): its size and, when it failed, why. */
export type OnRun = (size: number, error?: OffsampleError) => void;

/** The session settings of config.predict that onnxruntime sees. */
export interface SessionSettings {
  intraOpThreads: number;
  allowSpinning: boolean;
}

export function sessionOptions(s: SessionSettings): ort.InferenceSession.SessionOptions {
  const spinning = s.allowSpinning ? '1' : '0';
  return {
    intraOpNumThreads: s.intraOpThreads,
    // Parallelism comes from intra-op threads and several sessions, not from running graph branches at once.
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // Session config entries (onnxruntime_session_options_config_keys.h); the Node binding joins
    // nested keys with '.' and wants string values.
    extra: { session: { intra_op: { allow_spinning: spinning }, inter_op: { allow_spinning: spinning } } },
  };
}

/** Loads one session and checks it against the manifest; returns the graph's fixed batch, if any. */
export async function loadSession(model: LoadedModel, s: SessionSettings): Promise<{ session: ort.InferenceSession; fixedBatch: number | undefined }> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(model.modelPath, sessionOptions(s));
  } catch (err) {
    throw new OffsampleError(TaskErrorCode.MODEL_LOAD_FAILED, `cannot load ${model.modelPath}: ${(err as Error).message}`, { cause: err });
  }
  const { manifest } = model;
  const input = session.inputMetadata.find((m) => m.name === manifest.inputName);
  if (input === undefined || !session.outputNames.includes(manifest.outputName)) {
    await session.release().catch(() => undefined);
    throw new OffsampleError(
      TaskErrorCode.MODEL_LOAD_FAILED,
      `model graph has inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}]; the manifest names ${manifest.inputName} → ${manifest.outputName}`,
    );
  }
  const dim0 = input.isTensor ? input.shape[0] : undefined;
  return { session, fixedBatch: typeof dim0 === 'number' && dim0 > 0 ? dim0 : undefined };
}

export function planeSize(manifest: ModelManifest): number {
  return manifest.channels * manifest.height * manifest.width;
}

/** Throws INFERENCE_FAILED unless `tensor` is one C·H·W input of the model. */
export function checkTensor(tensor: Float32Array, manifest: ModelManifest): void {
  const plane = planeSize(manifest);
  if (tensor.length !== plane) throw new OffsampleError(ItemErrorCode.INFERENCE_FAILED, `tensor has ${tensor.length} values, the model wants ${plane}`);
}

/** Copies `tensors` into one fresh [rows, C, H, W] buffer (rows = the fixed batch, else the count). */
export function packBatch(manifest: ModelManifest, fixedBatch: number | undefined, tensors: readonly Float32Array[]): Float32Array {
  const plane = planeSize(manifest);
  const n = tensors.length;
  const rows = fixedBatch ?? n;
  if (n > rows) throw new OffsampleError(ItemErrorCode.INTERNAL, `batch of ${n} exceeds the graph's fixed batch ${rows}`);
  const data = new Float32Array(rows * plane);
  tensors.forEach((t, i) => {
    checkTensor(t, manifest);
    data.set(t, i * plane);
  });
  return data;
}

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** One `session.run` over a packed buffer holding `n` real items. */
export async function runPacked(session: ort.InferenceSession, manifest: ModelManifest, data: Float32Array, n: number): Promise<Prediction[]> {
  const rows = data.length / planeSize(manifest);
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

export function asInferenceError(err: unknown): OffsampleError {
  const e = normalizeError(err);
  return e.code === ItemErrorCode.INTERNAL ? new OffsampleError(ItemErrorCode.INFERENCE_FAILED, e.message, { cause: err }) : e;
}

/**
 * Run a packed batch of `n` items; if it fails, run its items one by one (slices of the same
 * buffer, padded to the fixed batch when there is one) so only the bad ones fail.
 */
export async function predictPacked(
  session: ort.InferenceSession,
  manifest: ModelManifest,
  fixedBatch: number | undefined,
  data: Float32Array,
  n: number,
  onRun: OnRun,
): Promise<ItemPrediction[]> {
  const timed = async (packed: Float32Array, size: number) => {
    const started = performance.now();
    try {
      const predictions = await runPacked(session, manifest, packed, size);
      onRun(size);
      return { predictions, ms: (performance.now() - started) / size };
    } catch (err) {
      const error = asInferenceError(err);
      onRun(size, error);
      throw error;
    }
  };
  try {
    const { predictions, ms } = await timed(data, n);
    return predictions.map((prediction) => ({ ok: true, prediction, inferMs: ms }));
  } catch (batchError) {
    if (n === 1) return [{ ok: false, error: batchError as OffsampleError, inferMs: 0 }];
  }
  const plane = planeSize(manifest);
  const results: ItemPrediction[] = [];
  for (let i = 0; i < n; i++) {
    const one = new Float32Array((fixedBatch ?? 1) * plane);
    one.set(data.subarray(i * plane, (i + 1) * plane));
    try {
      const { predictions, ms } = await timed(one, 1);
      results.push({ ok: true, prediction: predictions[0]!, inferMs: ms });
    } catch (err) {
      results.push({ ok: false, error: err as OffsampleError, inferMs: 0 });
    }
  }
  return results;
}
