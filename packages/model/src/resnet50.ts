/**
 * A ResNet-50-shaped ONNX graph with random weights, for benchmarks: the same layers and cost as the
 * real network (bottleneck blocks 3-4-6-3, 224×224×3, ~25.5M parameters, ~100 MB), not a classifier.
 * BatchNorm is folded into conv weights and biases, as inference-optimised exports do.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MANIFEST_DEFAULTS } from './defaults.js';
import { parseManifest, type ModelManifest } from './manifest.js';
import { OnnxGraphBuilder } from './onnx-writer.js';
import { mulberry32, type Rng } from './random.js';

export interface ResNet50Options {
  seed?: number;
  classes?: number;
}

/** Stages of ResNet-50: bottleneck width, block count, stride of the first block. */
const STAGES = [
  { width: 64, blocks: 3, stride: 1 },
  { width: 128, blocks: 4, stride: 2 },
  { width: 256, blocks: 6, stride: 2 },
  { width: 512, blocks: 3, stride: 2 },
] as const;
const EXPANSION = 4;
/** The last conv of each residual branch is scaled down so activations don't grow block after block. */
const RESIDUAL_BRANCH_SCALE = 0.2;

/** Normal(0, std) values, two per Box–Muller draw (25M of them are needed). */
function normals(rng: Rng, n: number, std: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = std * Math.sqrt(-2 * Math.log(1 - rng()));
    const a = 2 * Math.PI * rng();
    out[i] = r * Math.cos(a);
    if (i + 1 < n) out[i + 1] = r * Math.sin(a);
  }
  return out;
}

class Weights {
  constructor(private readonly rng: Rng) {}
  /** He-normal conv weight [out, in, k, k] times `scale`, with a small folded-BN bias. */
  conv(outC: number, inC: number, k: number, scale = 1): { w: Float32Array; b: Float32Array } {
    return { w: normals(this.rng, outC * inC * k * k, scale * Math.sqrt(2 / (inC * k * k))), b: normals(this.rng, outC, 0.01) };
  }
}

function convLayer(g: OnnxGraphBuilder, wts: Weights, x: string, inC: number, outC: number, k: number, stride: number, scale = 1): string {
  const { w, b } = wts.conv(outC, inC, k, scale);
  return g.conv(x, w, b, outC, inC, k, { strides: stride });
}

/** Builds the graph; returns the serialised model and its manifest (modelFile still to be set). */
export function buildResNet50(opts: ResNet50Options = {}): { bytes: Uint8Array; manifest: Omit<ModelManifest, 'modelFile'> } {
  const classes = opts.classes ?? 2;
  if (!Number.isInteger(classes) || classes < 2) throw new RangeError(`classes = ${String(classes)}: must be an integer >= 2`);
  const wts = new Weights(mulberry32(opts.seed ?? 50));
  const g = new OnnxGraphBuilder('resnet50');
  const inputName = 'input';
  const outputName = 'probabilities';
  let x = g.input(inputName, ['batch', 3, 224, 224]);
  x = g.relu(convLayer(g, wts, x, 3, 64, 7, 2));
  x = g.maxPool(x, 3, 2, 1);
  let inC = 64;
  for (const stage of STAGES) {
    const outC = stage.width * EXPANSION;
    for (let i = 0; i < stage.blocks; i++) {
      const stride = i === 0 ? stage.stride : 1;
      const shortcut = i === 0 ? convLayer(g, wts, x, inC, outC, 1, stride) : x;
      let y = g.relu(convLayer(g, wts, x, inC, stage.width, 1, 1));
      y = g.relu(convLayer(g, wts, y, stage.width, stage.width, 3, stride)); // stride on the 3×3 (v1.5)
      y = convLayer(g, wts, y, stage.width, outC, 1, 1, RESIDUAL_BRANCH_SCALE);
      x = g.relu(g.add(y, shortcut));
      inC = outC;
    }
  }
  x = g.flatten(g.globalAveragePool(x));
  const fcW = normals(mulberry32((opts.seed ?? 50) ^ 0xfc), classes * inC, 1 / Math.sqrt(inC));
  x = g.gemm(x, fcW, new Float32Array(classes), classes, inC);
  g.softmax(x, outputName);
  g.output(outputName, ['batch', classes]);
  const labels = classes === 2 ? ['off-sample', 'on-sample'] : Array.from({ length: classes }, (_, i) => `class-${i}`);
  return {
    bytes: g.toBytes({ docString: 'ResNet-50-shaped graph with random weights (benchmark model, not a classifier)' }),
    manifest: {
      format: MANIFEST_DEFAULTS.format,
      name: 'resnet50-random',
      inputName,
      outputName,
      channels: 3,
      height: 224,
      width: 224,
      // ImageNet statistics, as a torchvision ResNet-50 expects.
      mean: [0.485, 0.456, 0.406],
      std: [0.229, 0.224, 0.225],
      labels,
      output: 'probabilities',
    },
  };
}

/** Writes the graph to `filePath` and a manifest.json beside it; returns the manifest. */
export async function writeResNet50Onnx(filePath: string, opts: ResNet50Options = {}): Promise<ModelManifest> {
  const abs = path.resolve(filePath);
  const { bytes, manifest } = buildResNet50(opts);
  const full = parseManifest({ ...manifest, modelFile: path.basename(abs) });
  await mkdir(path.dirname(abs), { recursive: true });
  await writeFile(abs, bytes);
  await writeFile(path.join(path.dirname(abs), MANIFEST_DEFAULTS.manifestFile), JSON.stringify(full, null, 2) + '\n');
  return full;
}
