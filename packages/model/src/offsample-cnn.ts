/**
 * The shipped off-sample classifier: architecture and manifest. Greyscale 64×64 input is enough to see
 * where the signal sits relative to the tissue; four conv/pool stages reach 4×4×32, and a dense head
 * keeps the spatial layout (centre vs border matters here, so no global pooling).
 */
import type { ModelManifest } from './manifest.js';
import type { LayerSpec } from './nn.js';

export const OFFSAMPLE_CNN_LAYERS: readonly LayerSpec[] = Object.freeze([
  { type: 'conv', outC: 8, k: 3 },
  { type: 'relu' },
  { type: 'maxpool2' },
  { type: 'conv', outC: 16, k: 3 },
  { type: 'relu' },
  { type: 'maxpool2' },
  { type: 'conv', outC: 32, k: 3 },
  { type: 'relu' },
  { type: 'maxpool2' },
  { type: 'conv', outC: 32, k: 3 },
  { type: 'relu' },
  { type: 'maxpool2' },
  { type: 'flatten' },
  { type: 'dense', out: 32 },
  { type: 'relu' },
  { type: 'dense', out: 2 },
]);

export const OFFSAMPLE_CNN_MANIFEST: Readonly<ModelManifest> = Object.freeze({
  format: 'offsample-model/1',
  name: 'offsample-cnn',
  modelFile: 'model.onnx',
  inputName: 'input',
  outputName: 'probabilities',
  channels: 1,
  height: 64,
  width: 64,
  // Pixel/255 statistics measured over synthetic training images (train.ts prints them again).
  mean: [0.28],
  std: [0.31],
  labels: ['off-sample', 'on-sample'],
  output: 'probabilities',
});
