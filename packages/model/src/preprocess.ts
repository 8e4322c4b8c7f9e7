/**
 * The canonical image → tensor path, shared by training and inference so both see identical inputs.
 *
 * decode (sharp, pixel limit) → flatten alpha onto black → greyscale or sRGB (manifest.channels)
 * → resize to width×height with fit 'fill' and a linear kernel (see defaults.ts for why)
 * → 8-bit raw HWC → NCHW float32 with (v/255 - mean[c]) / std[c].
 */
import sharp from 'sharp';
import { PREPROCESS_DEFAULTS } from './defaults.js';
import type { ModelManifest } from './manifest.js';

export interface TensorFromImageOptions {
  /** Decode refuses images with more pixels than this (default PREPROCESS_DEFAULTS.limitInputPixels). */
  limitInputPixels?: number;
}

/**
 * Per-channel 256-entry lookup tables: normalising is then one table read per value. Cached per manifest
 * object, so a manifest must not be mutated after use (loadModel returns a fresh one each time).
 */
const lutCache = new WeakMap<ModelManifest, Float32Array[]>();

function lutsFor(manifest: ModelManifest): Float32Array[] {
  let luts = lutCache.get(manifest);
  if (luts) return luts;
  luts = [];
  for (let c = 0; c < manifest.channels; c++) {
    const mean = manifest.mean[c] ?? 0;
    const std = manifest.std[c] ?? 1;
    const lut = new Float32Array(256);
    for (let v = 0; v < 256; v++) lut[v] = (v / 255 - mean) / std;
    luts.push(lut);
  }
  lutCache.set(manifest, luts);
  return luts;
}

/**
 * Decodes and preprocesses one image into an NCHW float32 tensor of length channels*height*width.
 * sharp's errors (corrupt data, unsupported format, pixel limit) propagate unchanged.
 */
export async function tensorFromImage(
  bytes: Buffer | Uint8Array,
  manifest: ModelManifest,
  opts: TensorFromImageOptions = {},
): Promise<Float32Array> {
  const { channels, width, height } = manifest;
  let pipeline = sharp(bytes, {
    limitInputPixels: opts.limitInputPixels ?? PREPROCESS_DEFAULTS.limitInputPixels,
    sequentialRead: true,
  }).flatten({ background: PREPROCESS_DEFAULTS.flattenBackground });
  pipeline = channels === 1 ? pipeline.toColourspace('b-w') : pipeline.toColourspace('srgb');
  const { data, info } = await pipeline
    .resize(width, height, { fit: PREPROCESS_DEFAULTS.resizeFit, kernel: PREPROCESS_DEFAULTS.resizeKernel })
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });

  const plane = width * height;
  if (info.width !== width || info.height !== height || info.channels !== channels || data.length !== plane * channels) {
    // Defensive: a colourspace sharp could not map to the requested channel count.
    throw new Error(
      `preprocess produced ${info.width}x${info.height}x${info.channels}, expected ${width}x${height}x${channels}`,
    );
  }
  const luts = lutsFor(manifest);
  const out = new Float32Array(plane * channels);
  if (channels === 1) {
    const lut = luts[0]!;
    for (let i = 0; i < plane; i++) out[i] = lut[data[i]!]!;
  } else {
    const l0 = luts[0]!;
    const l1 = luts[1]!;
    const l2 = luts[2]!;
    for (let i = 0, j = 0; i < plane; i++, j += 3) {
      out[i] = l0[data[j]!]!;
      out[plane + i] = l1[data[j + 1]!]!;
      out[2 * plane + i] = l2[data[j + 2]!]!;
    }
  }
  return out;
}
