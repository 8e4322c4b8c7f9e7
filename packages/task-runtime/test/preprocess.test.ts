import sharp from 'sharp';
import type { ModelManifest } from '@offsample/model';
import { describe, expect, it } from 'vitest';
import { classifyImageError, preprocessImage } from '../src/index.js';

// Only the preprocessing fields matter here; no model file is read.
const manifest: ModelManifest = {
  format: 'offsample-model/1',
  name: 'test',
  modelFile: 'model.onnx',
  inputName: 'input',
  outputName: 'output',
  channels: 1,
  height: 16,
  width: 16,
  mean: [0.5],
  std: [0.5],
  labels: ['a', 'b'],
  output: 'logits',
};

const noise = (format: 'png' | 'jpeg') =>
  sharp({ create: { width: 48, height: 48, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
    .toFormat(format)
    .toBuffer();

async function codeOf(bytes: Buffer, limitInputPixels = 1_000_000): Promise<string> {
  try {
    await preprocessImage(bytes, manifest, limitInputPixels);
    return 'OK';
  } catch (err) {
    return (err as { code: string }).code;
  }
}

describe('preprocess error codes (sharp 0.35 messages)', () => {
  it('decodes a good image into a tensor of C·H·W values', async () => {
    const tensor = await preprocessImage(await noise('png'), manifest, 1_000_000);
    expect(tensor).toBeInstanceOf(Float32Array);
    expect(tensor.length).toBe(16 * 16);
  });

  it('maps text, empty and unknown bytes to NOT_AN_IMAGE', async () => {
    expect(await codeOf(Buffer.from('this is a text file, not an image\n'))).toBe('NOT_AN_IMAGE');
    expect(await codeOf(Buffer.alloc(0))).toBe('NOT_AN_IMAGE');
    expect(await codeOf(Buffer.from('%PDF-1.4 whatever'))).toBe('NOT_AN_IMAGE');
  });

  it('maps truncated and corrupt images to DECODE_FAILED', async () => {
    const png = await noise('png');
    const jpeg = await noise('jpeg');
    expect(await codeOf(png.subarray(0, png.length >> 1))).toBe('DECODE_FAILED');
    expect(await codeOf(png.subarray(0, 40))).toBe('DECODE_FAILED');
    expect(await codeOf(jpeg.subarray(0, jpeg.length >> 1))).toBe('DECODE_FAILED');
    const corrupt = Buffer.from(png);
    corrupt.fill(0xff, 100, 200);
    expect(await codeOf(corrupt)).toBe('DECODE_FAILED');
  });

  it('maps the pixel limit to TOO_LARGE', async () => {
    expect(await codeOf(await noise('png'), 100)).toBe('TOO_LARGE');
  });

  it('classifies unknown errors as DECODE_FAILED and keeps the message', () => {
    const e = classifyImageError(new Error('something odd'));
    expect(e.code).toBe('DECODE_FAILED');
    expect(e.message).toBe('something odd');
  });
});
