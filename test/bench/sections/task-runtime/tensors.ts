/** Decodes the image files straight from disk, as the pipeline would, for the model-only bound. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { tensorFromImage, type ModelManifest } from '@offsample/model';

/** sharp runs on libuv threads: a few decodes at once finish the set in a couple of seconds. */
const DECODE_CONCURRENCY = 4;

export async function decodeAll(dir: string, files: readonly string[], manifest: ModelManifest): Promise<Float32Array[]> {
  const out = new Array<Float32Array>(files.length);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const i = next++;
      out[i] = await tensorFromImage(await readFile(path.join(dir, files[i]!)), manifest);
    }
  };
  await Promise.all(Array.from({ length: DECODE_CONCURRENCY }, worker));
  return out;
}
