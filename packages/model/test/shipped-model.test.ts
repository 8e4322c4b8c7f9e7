import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { defaultModelDir, loadModel, planDataset, renderItem, tensorFromImage } from '@offsample/model';

// Seed 3003 is used neither for training (1001) nor for the training script's held-out check (2002).
const HELD_OUT_SEED = 3003;
const COUNT = 400;
const BATCH = 50;

describe('shipped off-sample model', () => {
  it(`classifies ${COUNT} fresh held-out synthetic ion images with accuracy >= 0.95`, async () => {
    const { manifest, modelPath } = await loadModel(defaultModelDir());
    expect(manifest).toMatchObject({ name: 'offsample-cnn', channels: 1, height: 64, width: 64, output: 'probabilities' });
    const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 1 });
    try {
      expect(session.inputNames).toEqual([manifest.inputName]);
      expect(session.outputNames).toEqual([manifest.outputName]);
      const items = planDataset({ count: COUNT, seed: HELD_OUT_SEED });
      const plane = manifest.channels * manifest.height * manifest.width;
      const k = manifest.labels.length;
      let correct = 0;
      const perClass = new Map<string, { n: number; ok: number }>();
      for (let start = 0; start < items.length; start += BATCH) {
        const batch = items.slice(start, start + BATCH);
        const input = new Float32Array(batch.length * plane);
        for (const [j, item] of batch.entries()) input.set(await tensorFromImage(await renderItem(item), manifest), j * plane);
        const res = await session.run({
          [manifest.inputName]: new ort.Tensor('float32', input, [batch.length, manifest.channels, manifest.height, manifest.width]),
        });
        const out = res[manifest.outputName]!.data as Float32Array;
        for (const [j, item] of batch.entries()) {
          const p = out.subarray(j * k, (j + 1) * k);
          expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
          const predicted = manifest.labels[p.indexOf(Math.max(...p))];
          const stats = perClass.get(item.label) ?? { n: 0, ok: 0 };
          stats.n++;
          if (predicted === item.label) {
            correct++;
            stats.ok++;
          }
          perClass.set(item.label, stats);
        }
      }
      const accuracy = correct / items.length;
      console.log(`shipped model held-out accuracy ${accuracy.toFixed(4)} on ${items.length} images`, Object.fromEntries(perClass));
      expect(accuracy).toBeGreaterThanOrEqual(0.95);
      // Neither class may be sacrificed for the other.
      for (const { n, ok } of perClass.values()) expect(ok / n).toBeGreaterThanOrEqual(0.9);
    } finally {
      await session.release();
    }
  });
});
