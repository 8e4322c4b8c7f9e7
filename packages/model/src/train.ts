/**
 * Trains the shipped off-sample CNN and writes models/offsample-cnn/{model.onnx, manifest.json}.
 *   npm run train -w @offsample/model [-- --out DIR --train-count N --epochs N]
 * Prints progress, the held-out accuracy (JS forward and onnxruntime) and the JS↔ONNX difference; exits
 * non-zero if the exported graph disagrees with the JS network or the accuracy is below the bar.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import ort from 'onnxruntime-node';
import { planDataset } from './dataset.js';
import { MANIFEST_DEFAULTS, TRAIN_DEFAULTS } from './defaults.js';
import { defaultModelDir, loadModel, type ModelManifest } from './manifest.js';
import { OFFSAMPLE_CNN_LAYERS, OFFSAMPLE_CNN_MANIFEST } from './offsample-cnn.js';
import { softmax } from './softmax.js';
import { argmax, tensorsFor, trainNetwork, type TensorSet } from './training.js';

const log = (line: string): void => console.log(`[train] ${line}`);

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} = ${raw}: must be a positive integer`);
  return n;
}

/** Mean and std of all tensor values, mapped back to pixel/255 units (the manifest's units). */
function pixelStats(set: TensorSet, m: ModelManifest): { mean: number; std: number } {
  let s = 0;
  let s2 = 0;
  let n = 0;
  for (const x of set.x) {
    for (let i = 0; i < x.length; i++) {
      const v = x[i]! * m.std[0]! + m.mean[0]!;
      s += v;
      s2 += v * v;
    }
    n += x.length;
  }
  const mean = s / n;
  return { mean, std: Math.sqrt(Math.max(0, s2 / n - mean * mean)) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { out: { type: 'string' }, 'train-count': { type: 'string' }, epochs: { type: 'string' } },
  });
  const outDir = path.resolve(values.out ?? defaultModelDir());
  const trainCount = positiveInt('train-count', values['train-count'], TRAIN_DEFAULTS.trainCount);
  const epochs = positiveInt('epochs', values.epochs, TRAIN_DEFAULTS.epochs);
  const manifest: ModelManifest = { ...OFFSAMPLE_CNN_MANIFEST, mean: [...OFFSAMPLE_CNN_MANIFEST.mean], std: [...OFFSAMPLE_CNN_MANIFEST.std] };
  const t0 = performance.now();
  const secs = (): string => `${((performance.now() - t0) / 1000).toFixed(1)}s`;

  log(`rendering ${trainCount} training images (seed ${TRAIN_DEFAULTS.trainDataSeed}) and ${TRAIN_DEFAULTS.heldOutCount} held-out (seed ${TRAIN_DEFAULTS.heldOutDataSeed})`);
  const train = await tensorsFor(planDataset({ count: trainCount, seed: TRAIN_DEFAULTS.trainDataSeed }), manifest);
  const heldOut = await tensorsFor(planDataset({ count: TRAIN_DEFAULTS.heldOutCount, seed: TRAIN_DEFAULTS.heldOutDataSeed }), manifest);
  const stats = pixelStats(train, manifest);
  log(`data ready in ${secs()}; training pixel/255 mean ${stats.mean.toFixed(3)} std ${stats.std.toFixed(3)} (manifest uses ${manifest.mean[0]} / ${manifest.std[0]})`);

  const tTrain = performance.now();
  const net = trainNetwork(
    train,
    {
      layers: OFFSAMPLE_CNN_LAYERS,
      manifest,
      seed: TRAIN_DEFAULTS.seed,
      epochs,
      batchSize: TRAIN_DEFAULTS.batchSize,
      learningRate: TRAIN_DEFAULTS.learningRate,
      finalLearningRateFraction: TRAIN_DEFAULTS.finalLearningRateFraction,
      logEveryBatches: TRAIN_DEFAULTS.logEveryBatches,
    },
    log,
  );
  const trainSecs = (performance.now() - tTrain) / 1000;
  log(`trained ${net.parameterCount()} parameters in ${trainSecs.toFixed(1)}s`);

  const jsProbs = heldOut.x.map((x) => softmax(net.forward(x)));
  const jsAcc = jsProbs.filter((p, i) => argmax(p) === heldOut.y[i]).length / heldOut.x.length;
  log(`held-out accuracy (JS forward): ${jsAcc.toFixed(4)} on ${heldOut.x.length} images`);

  await mkdir(outDir, { recursive: true });
  await writeFile(path.join(outDir, manifest.modelFile), net.toOnnx(manifest.inputName, manifest.outputName, manifest.name));
  await writeFile(path.join(outDir, MANIFEST_DEFAULTS.manifestFile), JSON.stringify(manifest, null, 2) + '\n');

  // Re-load what was written, as a user would, and check it against the JS network.
  const loaded = await loadModel(outDir);
  const session = await ort.InferenceSession.create(loaded.modelPath, { intraOpNumThreads: 1 });
  const plane = manifest.channels * manifest.height * manifest.width;
  let maxDiff = 0;
  let ortCorrect = 0;
  for (let start = 0; start < heldOut.x.length; start += 64) {
    const batch = heldOut.x.slice(start, start + 64);
    const input = new Float32Array(batch.length * plane);
    batch.forEach((x, j) => input.set(x, j * plane));
    const dims = [batch.length, manifest.channels, manifest.height, manifest.width];
    const res = await session.run({ [manifest.inputName]: new ort.Tensor('float32', input, dims) });
    const out = res[manifest.outputName]!.data as Float32Array;
    const k = manifest.labels.length;
    for (let j = 0; j < batch.length; j++) {
      const p = out.subarray(j * k, (j + 1) * k);
      const ref = jsProbs[start + j]!;
      for (let c = 0; c < k; c++) maxDiff = Math.max(maxDiff, Math.abs(p[c]! - ref[c]!));
      if (argmax(p) === heldOut.y[start + j]) ortCorrect++;
    }
  }
  await session.release();
  const ortAcc = ortCorrect / heldOut.x.length;
  log(`held-out accuracy (onnxruntime): ${ortAcc.toFixed(4)}; max |ONNX - JS| probability difference ${maxDiff.toExponential(2)}`);
  log(`wrote ${loaded.modelPath} and ${MANIFEST_DEFAULTS.manifestFile} (total ${secs()}, training ${trainSecs.toFixed(1)}s)`);
  if (maxDiff > TRAIN_DEFAULTS.parityTolerance) throw new Error(`ONNX output differs from the JS network by ${maxDiff}`);
  if (ortAcc < TRAIN_DEFAULTS.minHeldOutAccuracy) throw new Error(`held-out accuracy ${ortAcc} is below ${TRAIN_DEFAULTS.minHeldOutAccuracy}`);
}

main().catch((err: unknown) => {
  console.error(`[train] failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
