/**
 * A sequential CNN built from nn-layers, trained with softmax cross-entropy and Adam, exportable to
 * ONNX (same weights, same layout) with a Softmax output.
 */
import { Conv2d, Dense, Flatten, MaxPool2, Relu, type Layer, type Param, type Shape } from './nn-layers.js';
import { OnnxGraphBuilder } from './onnx-writer.js';
import { mulberry32 } from './random.js';
import { softmax } from './softmax.js';

export type LayerSpec =
  | { type: 'conv'; outC: number; k: number }
  | { type: 'relu' }
  | { type: 'maxpool2' }
  | { type: 'flatten' }
  | { type: 'dense'; out: number };

export class Sequential {
  readonly layers: Layer[] = [];
  readonly params: Param[];
  readonly outSize: number;

  constructor(readonly inShape: Shape, readonly specs: LayerSpec[], seed: number) {
    const rng = mulberry32(seed);
    let shape = inShape;
    for (const s of specs) {
      const layer =
        s.type === 'conv'
          ? new Conv2d(shape, s.outC, s.k, rng)
          : s.type === 'relu'
            ? new Relu(shape)
            : s.type === 'maxpool2'
              ? new MaxPool2(shape)
              : s.type === 'flatten'
                ? new Flatten(shape)
                : new Dense(shape, s.out, rng);
      if (layer instanceof Conv2d && this.layers.length === 0) layer.skipInputGrad = true;
      this.layers.push(layer);
      shape = layer.outShape;
    }
    this.params = this.layers.flatMap((l) => l.params);
    this.outSize = shape[0] * shape[1] * shape[2];
  }

  /** Logits of one CHW sample. */
  forward(x: Float32Array): Float32Array {
    let y = x;
    for (const l of this.layers) y = l.forward(y);
    return y;
  }

  /**
   * Forward + backward of one sample with softmax cross-entropy; gradients accumulate (scaled by
   * `gradScale`, i.e. 1/batch). Returns the loss and the probabilities.
   */
  trainStep(x: Float32Array, target: number, gradScale: number): { loss: number; probs: number[] } {
    const probs = softmax(this.forward(x));
    let d: Float32Array = new Float32Array(probs.length);
    for (let i = 0; i < probs.length; i++) d[i] = (probs[i]! - (i === target ? 1 : 0)) * gradScale;
    for (let i = this.layers.length - 1; i >= 0; i--) d = this.layers[i]!.backward(d);
    return { loss: -Math.log(Math.max(1e-12, probs[target]!)), probs };
  }

  zeroGrad(): void {
    for (const p of this.params) p.grad.fill(0);
  }

  parameterCount(): number {
    return this.params.reduce((s, p) => s + p.value.length, 0);
  }

  /** ONNX bytes: input [batch, C, H, W] → layers → Softmax output [batch, classes]. */
  toOnnx(inputName: string, outputName: string, graphName: string): Uint8Array {
    const g = new OnnxGraphBuilder(graphName);
    let x = g.input(inputName, ['batch', ...this.inShape]);
    for (const l of this.layers) x = l.toOnnx(g, x);
    g.softmax(x, outputName);
    g.output(outputName, ['batch', this.outSize]);
    return g.toBytes({ docString: `Sequential CNN: ${JSON.stringify(this.specs)}` });
  }
}

/** Adam (Kingma & Ba) with the usual β defaults; a plain loop over flat parameter arrays. */
export class Adam {
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private t = 0;
  constructor(
    private readonly params: Param[],
    public lr: number,
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly eps = 1e-8,
  ) {
    this.m = params.map((p) => new Float32Array(p.value.length));
    this.v = params.map((p) => new Float32Array(p.value.length));
  }
  step(): void {
    this.t++;
    const c1 = 1 - Math.pow(this.beta1, this.t);
    const c2 = 1 - Math.pow(this.beta2, this.t);
    this.params.forEach((p, k) => {
      const m = this.m[k]!;
      const v = this.v[k]!;
      for (let i = 0; i < p.value.length; i++) {
        const g = p.grad[i]!;
        m[i] = this.beta1 * m[i]! + (1 - this.beta1) * g;
        v[i] = this.beta2 * v[i]! + (1 - this.beta2) * g * g;
        p.value[i] = p.value[i]! - (this.lr * (m[i]! / c1)) / (Math.sqrt(v[i]! / c2) + this.eps);
      }
    });
  }
}
