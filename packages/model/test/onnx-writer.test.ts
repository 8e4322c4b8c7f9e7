import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModel, mulberry32, OnnxGraphBuilder, writeResNet50Onnx } from '@offsample/model';
import { Sequential } from '../dist/nn.js';

// Plain-JS reference ops on one sample, CHW layout.
type T = { c: number; h: number; w: number; d: Float64Array };
function conv(x: T, wt: Float32Array, b: Float32Array, outC: number, k: number, stride: number, pad: number): T {
  const oh = Math.floor((x.h + 2 * pad - k) / stride) + 1;
  const ow = Math.floor((x.w + 2 * pad - k) / stride) + 1;
  const d = new Float64Array(outC * oh * ow);
  for (let o = 0; o < outC; o++)
    for (let y = 0; y < oh; y++)
      for (let xx = 0; xx < ow; xx++) {
        let s = b[o]!;
        for (let c = 0; c < x.c; c++)
          for (let ky = 0; ky < k; ky++)
            for (let kx = 0; kx < k; kx++) {
              const iy = y * stride + ky - pad;
              const ix = xx * stride + kx - pad;
              if (iy >= 0 && iy < x.h && ix >= 0 && ix < x.w) s += wt[((o * x.c + c) * k + ky) * k + kx]! * x.d[(c * x.h + iy) * x.w + ix]!;
            }
        d[(o * oh + y) * ow + xx] = s;
      }
  return { c: outC, h: oh, w: ow, d };
}
const map = (x: T, f: (v: number, c: number) => number): T => ({ ...x, d: x.d.map((v, i) => f(v, Math.floor(i / (x.h * x.w)))) });
const add = (a: T, b: T): T => ({ ...a, d: a.d.map((v, i) => v + b.d[i]!) });
function pool(x: T, k: number, kind: 'max' | 'avg'): T {
  const oh = Math.floor(x.h / k);
  const ow = Math.floor(x.w / k);
  const d = new Float64Array(x.c * oh * ow);
  for (let c = 0; c < x.c; c++)
    for (let y = 0; y < oh; y++)
      for (let xx = 0; xx < ow; xx++) {
        const vals: number[] = [];
        for (let dy = 0; dy < k; dy++) for (let dx = 0; dx < k; dx++) vals.push(x.d[(c * x.h + y * k + dy) * x.w + xx * k + dx]!);
        d[(c * oh + y) * ow + xx] = kind === 'max' ? Math.max(...vals) : vals.reduce((s, v) => s + v, 0) / vals.length;
      }
  return { c: x.c, h: oh, w: ow, d };
}
function dense(v: number[], wt: Float32Array, b: Float32Array, out: number, transposed: boolean): number[] {
  return Array.from({ length: out }, (_, o) => v.reduce((s, x, i) => s + x * wt[transposed ? i * out + o : o * v.length + i]!, b[o]!));
}
const softmaxRef = (v: number[]): number[] => {
  const m = Math.max(...v);
  const e = v.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
};

const rand = mulberry32(99);
const randn = (n: number, scale = 0.5): Float32Array => Float32Array.from({ length: n }, () => (rand() * 2 - 1) * scale);

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function run(bytes: Uint8Array, input: Float32Array, dims: number[], out: string): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  try {
    const res = await session.run({ input: new ort.Tensor('float32', input, dims) });
    return res[out]!.data as Float32Array;
  } finally {
    await session.release();
  }
}

describe('OnnxGraphBuilder', () => {
  it('matches a plain-JS forward pass on a small graph using every operator helper', async () => {
    const w1 = randn(3 * 2 * 9), b1 = randn(3);
    const bn = { s: randn(3).map((v) => 1 + v), b: randn(3), m: randn(3), v: randn(3).map((v) => 0.5 + Math.abs(v)) };
    const w2 = randn(3 * 3), b2 = randn(3);
    const w3 = randn(3 * 2 * 9), b3 = randn(3);
    const fcW = randn(4 * 3), fcB = randn(4);
    const mmW = randn(4 * 2), mmB = randn(2);

    const g = new OnnxGraphBuilder('tiny');
    const inp = g.input('input', ['batch', 2, 6, 6]);
    const r = g.relu(g.batchNorm(g.conv(inp, w1, b1, 3, 2, 3), bn.s, bn.b, bn.m, bn.v));
    const s = g.add(g.conv(r, w2, b2, 3, 3, 1), r); // residual
    const pooled = g.add(g.add(g.averagePool(s, 2), g.maxPool(s, 2)), g.conv(inp, w3, b3, 3, 2, 3, { strides: 2, pads: 1 }));
    const feat = g.flatten(g.globalAveragePool(pooled));
    const h = g.reshape(g.gemm(feat, fcW, fcB, 4, 3), [-1, 4]);
    g.softmax(g.matMulAdd(h, mmW, mmB, 4, 2), 'out');
    g.output('out', ['batch', 2]);

    const batch = 3;
    const input = randn(batch * 72, 2);
    const got = await run(g.toBytes(), input, [batch, 2, 6, 6], 'out');
    expect(got.length).toBe(batch * 2);
    for (let n = 0; n < batch; n++) {
      const x: T = { c: 2, h: 6, w: 6, d: Float64Array.from(input.subarray(n * 72, (n + 1) * 72)) };
      const c1 = conv(x, w1, b1, 3, 3, 1, 1);
      const rr = map(map(c1, (v, c) => ((v - bn.m[c]!) / Math.sqrt(bn.v[c]! + 1e-5)) * bn.s[c]! + bn.b[c]!), (v) => Math.max(0, v));
      const ss = add(conv(rr, w2, b2, 3, 1, 1, 0), rr);
      const pp = add(add(pool(ss, 2, 'avg'), pool(ss, 2, 'max')), conv(x, w3, b3, 3, 3, 2, 1));
      const gap = Array.from({ length: 3 }, (_, c) => pp.d.slice(c * 9, c * 9 + 9).reduce((a, b) => a + b, 0) / 9);
      const expected = softmaxRef(dense(dense(gap, fcW, fcB, 4, false), mmW, mmB, 2, true));
      expect(got[n * 2]).toBeCloseTo(expected[0]!, 5);
      expect(got[n * 2 + 1]).toBeCloseTo(expected[1]!, 5);
    }
  });

  it('exports a trained-style Sequential CNN that gives the same outputs as its JS forward pass', async () => {
    const net = new Sequential(
      [1, 16, 16],
      [
        { type: 'conv', outC: 4, k: 3 }, { type: 'relu' }, { type: 'maxpool2' },
        { type: 'conv', outC: 6, k: 3 }, { type: 'relu' }, { type: 'maxpool2' },
        { type: 'flatten' }, { type: 'dense', out: 8 }, { type: 'relu' }, { type: 'dense', out: 2 },
      ],
      5,
    );
    const input = randn(2 * 256, 1.5);
    const got = await run(net.toOnnx('input', 'p', 'seq'), input, [2, 1, 16, 16], 'p');
    for (let n = 0; n < 2; n++) {
      const expected = softmaxRef(Array.from(net.forward(input.slice(n * 256, (n + 1) * 256))));
      expect(got[n * 2]).toBeCloseTo(expected[0]!, 5);
      expect(got[n * 2 + 1]).toBeCloseTo(expected[1]!, 5);
    }
  });
});

describe('writeResNet50Onnx', () => {
  it('writes a ResNet-50-shaped model and manifest that onnxruntime runs to sane probabilities', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'offsample-r50-'));
    dirs.push(dir);
    const file = path.join(dir, 'resnet50.onnx');
    const manifest = await writeResNet50Onnx(file, { seed: 3 });
    expect(manifest).toMatchObject({ modelFile: 'resnet50.onnx', channels: 3, height: 224, width: 224, output: 'probabilities' });
    expect(manifest.labels).toEqual(['off-sample', 'on-sample']);
    expect(JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'))).toEqual(manifest);
    expect((await stat(file)).size).toBeGreaterThan(90e6); // ~23.5M float32 parameters with a 2-class head

    const { modelPath } = await loadModel(dir);
    const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 1 });
    try {
      const input = randn(3 * 224 * 224, 2);
      const res = await session.run({ [manifest.inputName]: new ort.Tensor('float32', input, [1, 3, 224, 224]) });
      const p = Array.from(res[manifest.outputName]!.data as Float32Array);
      expect(res[manifest.outputName]!.dims).toEqual([1, 2]);
      expect(p.every((v) => Number.isFinite(v) && v > 1e-4)).toBe(true);
      expect(p[0]! + p[1]!).toBeCloseTo(1, 5);
    } finally {
      await session.release();
    }
  });
});
