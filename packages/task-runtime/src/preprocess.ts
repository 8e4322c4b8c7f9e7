/**
 * Preprocess stage: the model package's canonical `tensorFromImage` (sharp decode with a pixel
 * limit → resize → normalised NCHW float32), with sharp's failures mapped to stable codes.
 * sharp 0.35.5 messages this relies on (checked by test/preprocess.test.ts):
 *   "Input buffer contains unsupported image format", "Input Buffer is empty"  → NOT_AN_IMAGE
 *   "Input image exceeds pixel limit"                                          → TOO_LARGE
 *   "Input buffer has corrupt header: …", "vipspng: libpng read error",
 *   "VipsJpeg: premature end of JPEG image", anything else from the decoder    → DECODE_FAILED
 */
import { tensorFromImage, type ModelManifest } from '@offsample/model';
import { ItemErrorCode, OffsampleError } from './errors.js';

export function classifyImageError(err: unknown): OffsampleError {
  if (err instanceof OffsampleError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (/unsupported image format|buffer is empty/i.test(message)) {
    return new OffsampleError(ItemErrorCode.NOT_AN_IMAGE, message, { cause: err });
  }
  if (/exceeds pixel limit/i.test(message)) {
    return new OffsampleError(ItemErrorCode.TOO_LARGE, `${message} (config.preprocess.limitInputPixels)`, { cause: err });
  }
  return new OffsampleError(ItemErrorCode.DECODE_FAILED, message, { cause: err });
}

export async function preprocessImage(bytes: Buffer, manifest: ModelManifest, limitInputPixels: number): Promise<Float32Array> {
  try {
    return await tensorFromImage(bytes, manifest, { limitInputPixels });
  } catch (err) {
    throw classifyImageError(err);
  }
}
