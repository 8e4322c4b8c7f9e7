/**
 * Layers of a tiny CNN trainer in plain TypeScript: one sample at a time (CHW Float32Array), forward
 * keeps what backward needs, backward accumulates parameter gradients (summed over a mini-batch).
 */
import type { OnnxGraphBuilder } from './onnx-writer.js';
import { gaussian, type Rng } from './random.js';

export type Shape = [c: number, h: number, w: number];

export interface Param {
  name: string;
  value: Float32Array;
  grad: Float32Array;
}

export interface Layer {
  readonly outShape: Shape;
  readonly params: Param[];
  forward(x: Float32Array): Float32Array;
  /** Takes dLoss/dOutput, accumulates parameter grads, returns dLoss/dInput. */
  backward(dy: Float32Array): Float32Array;
  /** Appends the ONNX node(s) for this layer; returns the output value name. */
  toOnnx(g: OnnxGraphBuilder, x: string): string;
}

function param(name: string, n: number): Param {
  return { name, value: new Float32Array(n), grad: new Float32Array(n) };
}

/** He-normal initialisation, suited to ReLU nets. */
function heInit(rng: Rng, p: Param, fanIn: number): void {
  const std = Math.sqrt(2 / fanIn);
  for (let i = 0; i < p.value.length; i++) p.value[i] = std * gaussian(rng);
}

/** k×k convolution, stride 1, 'same' zero padding. Weight layout [out, in, k, k] as ONNX's. */
export class Conv2d implements Layer {
  readonly outShape: Shape;
  readonly params: Param[];
  private readonly w: Param;
  private readonly b: Param;
  private x: Float32Array = new Float32Array(0);
  /** The first layer's input gradient is never used: skipping it saves a third of its backward pass. */
  skipInputGrad = false;

  constructor(
    private readonly inShape: Shape,
    private readonly outC: number,
    private readonly k: number,
    rng: Rng,
  ) {
    const [c, h, w] = inShape;
    this.outShape = [outC, h, w];
    this.w = param('conv_w', outC * c * k * k);
    this.b = param('conv_b', outC);
    heInit(rng, this.w, c * k * k);
    this.params = [this.w, this.b];
  }

  forward(x: Float32Array): Float32Array {
    this.x = x;
    const [C, H, W] = this.inShape;
    const { k, outC } = this;
    const p = Math.floor(k / 2);
    const hw = H * W;
    const out = new Float32Array(outC * hw);
    const wv = this.w.value;
    for (let o = 0; o < outC; o++) {
      const ob = o * hw;
      out.fill(this.b.value[o]!, ob, ob + hw);
      for (let c = 0; c < C; c++) {
        const ib = c * hw;
        for (let ky = 0; ky < k; ky++) {
          const y0 = Math.max(0, p - ky);
          const y1 = Math.min(H, H + p - ky);
          for (let kx = 0; kx < k; kx++) {
            const wt = wv[((o * C + c) * k + ky) * k + kx]!;
            const x0 = Math.max(0, p - kx);
            const x1 = Math.min(W, W + p - kx);
            const shift = (ky - p) * W + (kx - p);
            for (let y = y0; y < y1; y++) {
              const row = y * W;
              for (let xx = x0; xx < x1; xx++) out[ob + row + xx] = out[ob + row + xx]! + wt * x[ib + row + xx + shift]!;
            }
          }
        }
      }
    }
    return out;
  }

  backward(dy: Float32Array): Float32Array {
    const [C, H, W] = this.inShape;
    const { k, outC, x } = this;
    const p = Math.floor(k / 2);
    const hw = H * W;
    const dx = new Float32Array(C * hw);
    const wantDx = !this.skipInputGrad;
    const wv = this.w.value;
    const wg = this.w.grad;
    const bg = this.b.grad;
    for (let o = 0; o < outC; o++) {
      const ob = o * hw;
      let sb = 0;
      for (let i = 0; i < hw; i++) sb += dy[ob + i]!;
      bg[o] = bg[o]! + sb;
      for (let c = 0; c < C; c++) {
        const ib = c * hw;
        for (let ky = 0; ky < k; ky++) {
          const y0 = Math.max(0, p - ky);
          const y1 = Math.min(H, H + p - ky);
          for (let kx = 0; kx < k; kx++) {
            const wi = ((o * C + c) * k + ky) * k + kx;
            const wt = wv[wi]!;
            const x0 = Math.max(0, p - kx);
            const x1 = Math.min(W, W + p - kx);
            const shift = (ky - p) * W + (kx - p);
            let sw = 0;
            for (let y = y0; y < y1; y++) {
              const row = y * W;
              if (wantDx) {
                for (let xx = x0; xx < x1; xx++) {
                  const g = dy[ob + row + xx]!;
                  const src = ib + row + xx + shift;
                  sw += g * x[src]!;
                  dx[src] = dx[src]! + wt * g;
                }
              } else {
                for (let xx = x0; xx < x1; xx++) sw += dy[ob + row + xx]! * x[ib + row + xx + shift]!;
              }
            }
            wg[wi] = wg[wi]! + sw;
          }
        }
      }
    }
    return dx;
  }

  toOnnx(g: OnnxGraphBuilder, x: string): string {
    return g.conv(x, this.w.value, this.b.value, this.outC, this.inShape[0], this.k);
  }
}

export class Relu implements Layer {
  readonly outShape: Shape;
  readonly params: Param[] = [];
  private y = new Float32Array(0);
  constructor(inShape: Shape) {
    this.outShape = inShape;
  }
  forward(x: Float32Array): Float32Array {
    const y = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) y[i] = x[i]! > 0 ? x[i]! : 0;
    this.y = y;
    return y;
  }
  backward(dy: Float32Array): Float32Array {
    const dx = new Float32Array(dy.length);
    for (let i = 0; i < dy.length; i++) dx[i] = this.y[i]! > 0 ? dy[i]! : 0;
    return dx;
  }
  toOnnx(g: OnnxGraphBuilder, x: string): string {
    return g.relu(x);
  }
}

/** 2×2 max pooling, stride 2 (odd trailing rows/columns dropped, like ONNX's floor mode). */
export class MaxPool2 implements Layer {
  readonly outShape: Shape;
  readonly params: Param[] = [];
  private argmax = new Int32Array(0);
  constructor(private readonly inShape: Shape) {
    const [c, h, w] = inShape;
    this.outShape = [c, Math.floor(h / 2), Math.floor(w / 2)];
  }
  forward(x: Float32Array): Float32Array {
    const [C, H, W] = this.inShape;
    const [, OH, OW] = this.outShape;
    const y = new Float32Array(C * OH * OW);
    const arg = new Int32Array(y.length);
    let j = 0;
    for (let c = 0; c < C; c++) {
      for (let oy = 0; oy < OH; oy++) {
        for (let ox = 0; ox < OW; ox++, j++) {
          const i0 = c * H * W + 2 * oy * W + 2 * ox;
          let best = i0;
          for (const i of [i0 + 1, i0 + W, i0 + W + 1]) if (x[i]! > x[best]!) best = i;
          y[j] = x[best]!;
          arg[j] = best;
        }
      }
    }
    this.argmax = arg;
    return y;
  }
  backward(dy: Float32Array): Float32Array {
    const [C, H, W] = this.inShape;
    const dx = new Float32Array(C * H * W);
    for (let j = 0; j < dy.length; j++) {
      const i = this.argmax[j]!;
      dx[i] = dx[i]! + dy[j]!;
    }
    return dx;
  }
  toOnnx(g: OnnxGraphBuilder, x: string): string {
    return g.maxPool(x, 2);
  }
}

/** CHW → vector; a no-op on our layout, a Flatten node in ONNX. */
export class Flatten implements Layer {
  readonly outShape: Shape;
  readonly params: Param[] = [];
  constructor(inShape: Shape) {
    this.outShape = [inShape[0] * inShape[1] * inShape[2], 1, 1];
  }
  forward(x: Float32Array): Float32Array {
    return x;
  }
  backward(dy: Float32Array): Float32Array {
    return dy;
  }
  toOnnx(g: OnnxGraphBuilder, x: string): string {
    return g.flatten(x);
  }
}

/** Fully connected: y = W x + b, W [out, in]. Expects a flattened input. */
export class Dense implements Layer {
  readonly outShape: Shape;
  readonly params: Param[];
  private readonly w: Param;
  private readonly b: Param;
  private readonly inF: number;
  private x: Float32Array = new Float32Array(0);
  constructor(inShape: Shape, private readonly outF: number, rng: Rng) {
    this.inF = inShape[0] * inShape[1] * inShape[2];
    this.outShape = [outF, 1, 1];
    this.w = param('fc_w', outF * this.inF);
    this.b = param('fc_b', outF);
    heInit(rng, this.w, this.inF);
    this.params = [this.w, this.b];
  }
  forward(x: Float32Array): Float32Array {
    this.x = x;
    const y = new Float32Array(this.outF);
    for (let o = 0; o < this.outF; o++) {
      let s = this.b.value[o]!;
      const base = o * this.inF;
      for (let i = 0; i < this.inF; i++) s += this.w.value[base + i]! * x[i]!;
      y[o] = s;
    }
    return y;
  }
  backward(dy: Float32Array): Float32Array {
    const dx = new Float32Array(this.inF);
    for (let o = 0; o < this.outF; o++) {
      const g = dy[o]!;
      this.b.grad[o] = this.b.grad[o]! + g;
      const base = o * this.inF;
      for (let i = 0; i < this.inF; i++) {
        this.w.grad[base + i] = this.w.grad[base + i]! + g * this.x[i]!;
        dx[i] = dx[i]! + g * this.w.value[base + i]!;
      }
    }
    return dx;
  }
  toOnnx(g: OnnxGraphBuilder, x: string): string {
    return g.gemm(x, this.w.value, this.b.value, this.outF, this.inF);
  }
}
