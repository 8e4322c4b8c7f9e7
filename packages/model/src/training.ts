/**
 * Training of the shipped off-sample CNN on synthetic ion images, with the same preprocessing as
 * inference (PNG bytes → tensorFromImage), dihedral augmentation (flips/rotations keep the label),
 * Adam with cosine decay.
 */
import { renderItem, type DatasetItem } from './dataset.js';
import type { ModelManifest } from './manifest.js';
import { Adam, Sequential, type LayerSpec } from './nn.js';
import { tensorFromImage } from './preprocess.js';
import { mulberry32, shuffleInPlace, type Rng } from './random.js';

export interface TensorSet {
  x: Float32Array[];
  /** Index into manifest.labels. */
  y: number[];
}

/** Renders planned items to PNG and preprocesses them exactly as inference does. */
export async function tensorsFor(items: DatasetItem[], manifest: ModelManifest): Promise<TensorSet> {
  const x: Float32Array[] = [];
  const y: number[] = [];
  for (const item of items) {
    const label = manifest.labels.indexOf(item.label);
    if (label < 0) throw new Error(`label ${item.label} is not among the manifest labels ${manifest.labels.join(', ')}`);
    x.push(await tensorFromImage(await renderItem(item), manifest));
    y.push(label);
  }
  return { x, y };
}

/** One of the 8 flips/rotations of each square plane of a CHW tensor (k = 0 is the identity). */
export function dihedral(x: Float32Array, channels: number, size: number, k: number): Float32Array {
  if (k === 0) return x;
  const out = new Float32Array(x.length);
  const plane = size * size;
  const m = size - 1;
  for (let c = 0; c < channels; c++) {
    const base = c * plane;
    for (let yy = 0; yy < size; yy++) {
      for (let xx = 0; xx < size; xx++) {
        let sx = (k & 1) !== 0 ? m - xx : xx;
        let sy = (k & 2) !== 0 ? m - yy : yy;
        if ((k & 4) !== 0) [sx, sy] = [sy, sx];
        out[base + yy * size + xx] = x[base + sy * size + sx]!;
      }
    }
  }
  return out;
}

export interface TrainOptions {
  layers: readonly LayerSpec[];
  manifest: ModelManifest;
  seed: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  finalLearningRateFraction: number;
  logEveryBatches: number;
}

/** Trains a fresh network on `data`; `log` receives progress lines. */
export function trainNetwork(data: TensorSet, o: TrainOptions, log: (line: string) => void): Sequential {
  const { channels, height, width } = o.manifest;
  if (height !== width) throw new Error('dihedral augmentation needs a square input');
  const net = new Sequential([channels, height, width], [...o.layers], o.seed);
  const rng: Rng = mulberry32(o.seed ^ 0x5eed);
  const adam = new Adam(net.params, o.learningRate);
  const n = data.x.length;
  const batchesPerEpoch = Math.ceil(n / o.batchSize);
  const totalBatches = batchesPerEpoch * o.epochs;
  const order = Array.from({ length: n }, (_, i) => i);
  let batchNo = 0;
  let lossSum = 0;
  let correct = 0;
  let seen = 0;
  const started = performance.now();
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    shuffleInPlace(rng, order);
    for (let b = 0; b < batchesPerEpoch; b++) {
      const batch = order.slice(b * o.batchSize, (b + 1) * o.batchSize);
      const progress = batchNo / totalBatches;
      const floor = o.finalLearningRateFraction;
      adam.lr = o.learningRate * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
      net.zeroGrad();
      for (const i of batch) {
        const x = dihedral(data.x[i]!, channels, width, Math.floor(rng() * 8));
        const { loss, probs } = net.trainStep(x, data.y[i]!, 1 / batch.length);
        lossSum += loss;
        if (argmax(probs) === data.y[i]) correct++;
        seen++;
      }
      adam.step();
      batchNo++;
      if (batchNo % o.logEveryBatches === 0 || batchNo === totalBatches) {
        const secs = ((performance.now() - started) / 1000).toFixed(1);
        log(
          `epoch ${epoch}/${o.epochs} batch ${batchNo}/${totalBatches} loss ${(lossSum / seen).toFixed(4)} ` +
            `train-acc ${(correct / seen).toFixed(3)} lr ${adam.lr.toExponential(2)} ${secs}s`,
        );
        lossSum = 0;
        correct = 0;
        seen = 0;
      }
    }
  }
  return net;
}

export function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}
