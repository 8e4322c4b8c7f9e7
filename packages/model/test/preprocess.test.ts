import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultModelDir, loadModel, ModelError, parseManifest, softmax, tensorFromImage, type ModelManifest } from '@offsample/model';

const base: ModelManifest = {
  format: 'offsample-model/1',
  name: 'test',
  modelFile: 'model.onnx',
  inputName: 'input',
  outputName: 'probabilities',
  channels: 1,
  height: 4,
  width: 4,
  mean: [0.5],
  std: [0.25],
  labels: ['off-sample', 'on-sample'],
  output: 'probabilities',
};

let root = '';
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'offsample-manifest-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function modelDir(name: string, manifest: unknown, withModel = true): Promise<string> {
  const dir = path.join(root, name);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'manifest.json'), typeof manifest === 'string' ? manifest : JSON.stringify(manifest));
  if (withModel) await writeFile(path.join(dir, 'model.onnx'), 'not really onnx');
  return dir;
}

describe('loadModel', () => {
  it('loads a valid manifest and returns the absolute model path', async () => {
    const dir = await modelDir('ok', base);
    const { manifest, modelPath } = await loadModel(dir);
    expect(manifest).toEqual(base);
    expect(modelPath).toBe(path.join(dir, 'model.onnx'));
  });

  it.each([
    ['channels', { ...base, channels: 2 }, /channels = 2/],
    ['mean length', { ...base, mean: [0.1, 0.2] }, /mean = \[0\.1,0\.2\]/],
    ['missing inputName', { ...base, inputName: undefined }, /inputName = undefined/],
    ['output kind', { ...base, output: 'scores' }, /output = "scores"/],
    ['std zero', { ...base, std: [0] }, /std\.0 = 0/],
    ['path escape', { ...base, modelFile: '../model.onnx' }, /modelFile = "\.\.\/model\.onnx"/],
    ['unknown field', { ...base, extra: 1 }, /extra/],
  ])('rejects a bad manifest (%s) naming the field and value', async (name, manifest, message) => {
    const dir = await modelDir(`bad-${name.replace(/\W/g, '-')}`, manifest);
    const err = await loadModel(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect((err as ModelError).code).toBe('MANIFEST_INVALID');
    expect((err as ModelError).message).toMatch(message);
  });

  it('reports invalid JSON, a missing manifest and a missing model file with their codes', async () => {
    await expect(loadModel(await modelDir('json', '{ nope'))).rejects.toMatchObject({ code: 'MANIFEST_INVALID' });
    await expect(loadModel(path.join(root, 'absent'))).rejects.toMatchObject({ code: 'MANIFEST_MISSING' });
    const noModel = await modelDir('no-model', base, false);
    await expect(loadModel(noModel)).rejects.toMatchObject({ code: 'MODEL_FILE_MISSING', message: expect.stringMatching(/modelFile = "model.onnx"/) });
  });

  it('resolves the shipped model directory from the package location', () => {
    expect(path.isAbsolute(defaultModelDir())).toBe(true);
    expect(defaultModelDir()).toMatch(/packages[\\/]model[\\/]models[\\/]offsample-cnn$/);
  });
});

describe('tensorFromImage', () => {
  const grey4 = Uint8Array.from({ length: 16 }, (_, i) => i * 17); // 0, 17, …, 255

  it('normalises (v/255 - mean) / std at the model size without changing pixels', async () => {
    const png = await sharp(grey4, { raw: { width: 4, height: 4, channels: 1 } }).png().toBuffer();
    const t = await tensorFromImage(png, base);
    expect(t).toBeInstanceOf(Float32Array);
    expect(t.length).toBe(16);
    grey4.forEach((v, i) => expect(t[i]).toBeCloseTo((v / 255 - 0.5) / 0.25, 5));
  });

  it('resizes with fit "fill" (whole field kept, aspect stretched)', async () => {
    // 16×8: left half black, right half white → 4×4: left columns low, right columns high.
    const raw = Uint8Array.from({ length: 128 }, (_, i) => (i % 16 < 8 ? 0 : 255));
    const png = await sharp(raw, { raw: { width: 16, height: 8, channels: 1 } }).png().toBuffer();
    const t = await tensorFromImage(png, base);
    expect(t.length).toBe(16);
    for (let y = 0; y < 4; y++) {
      expect(t[y * 4]).toBeCloseTo(-2, 5);
      expect(t[y * 4 + 3]).toBeCloseTo(2, 5);
      expect(t[y * 4 + 1]!).toBeLessThan(t[y * 4 + 2]!);
    }
  });

  it('converts colour to 1 channel and greyscale to 3 channels (NCHW), flattening alpha onto black', async () => {
    const m3: ModelManifest = { ...base, channels: 3, mean: [0, 0, 0], std: [1, 1, 1] };
    const m1: ModelManifest = { ...base, mean: [0], std: [1] };
    const red = await sharp({ create: { width: 6, height: 6, channels: 3, background: { r: 255, g: 0, b: 0 } } }).png().toBuffer();
    const t3 = await tensorFromImage(red, m3);
    expect(t3.length).toBe(48);
    expect([t3[0], t3[16], t3[32]]).toEqual([1, 0, 0]); // R plane, G plane, B plane
    const t1 = await tensorFromImage(red, m1);
    expect(t1.length).toBe(16);
    // Luminance in linear light (0.2126 for pure red), re-encoded with the sRGB curve: ≈ 0.5.
    expect(t1[5]!).toBeGreaterThan(0.45);
    expect(t1[5]!).toBeLessThan(0.55);

    const grey = await sharp(grey4, { raw: { width: 4, height: 4, channels: 1 } }).png().toBuffer();
    const g3 = await tensorFromImage(grey, m3);
    for (let i = 0; i < 16; i++) expect([g3[i], g3[16 + i]]).toEqual([g3[32 + i], g3[32 + i]]);

    const transparentWhite = await sharp({ create: { width: 4, height: 4, channels: 4, background: { r: 255, g: 255, b: 255, alpha: 0 } } })
      .png()
      .toBuffer();
    expect(Array.from(await tensorFromImage(transparentWhite, m1))).toEqual(new Array(16).fill(0));
    expect(Array.from(await tensorFromImage(transparentWhite, m3))).toEqual(new Array(48).fill(0));
  });

  it("lets sharp's errors through unchanged", async () => {
    await expect(tensorFromImage(Buffer.from('definitely not an image'), base)).rejects.toThrow(/unsupported image format/);
    const big = await sharp(new Uint8Array(100 * 100), { raw: { width: 100, height: 100, channels: 1 } }).png().toBuffer();
    await expect(tensorFromImage(big, base, { limitInputPixels: 5000 })).rejects.toThrow(/pixel limit/);
    const truncated = (await sharp({ create: { width: 64, height: 64, channels: 3, background: '#123456' } }).jpeg().toBuffer()).subarray(0, 200);
    await expect(tensorFromImage(truncated, base)).rejects.toThrow();
  });
});

describe('parseManifest and softmax', () => {
  it('parses the same schema as loadModel', () => {
    expect(parseManifest(base)).toEqual(base);
    expect(() => parseManifest({ ...base, labels: ['one'] })).toThrow(/labels = \["one"\]/);
  });

  it('softmax is normalised and stable for large logits', () => {
    const p = softmax([1000, 1001, 999]);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(p[1]).toBeCloseTo(Math.exp(1) / (1 + Math.exp(1) + Math.exp(-1)), 12);
    expect(softmax(Float32Array.of(0, 0))).toEqual([0.5, 0.5]);
  });
});
