/**
 * (d) The naive loop a first version would write: for each image, await the download, decode it
 * with the model's `tensorFromImage`, infer it alone on the first session — nothing overlaps.
 */
import { performance } from 'node:perf_hooks';
import { tensorFromImage } from '@offsample/model';
import type { SessionPool } from '@offsample/task-runtime';
import { perSecond } from '../../stats.js';

export interface NaiveFigure {
  images: number;
  wallMs: number;
  imagesPerSecond: number;
  meanFetchMs: number;
  meanDecodeMs: number;
  meanInferMs: number;
}

export async function measureNaive(pool: SessionPool, urls: readonly string[]): Promise<NaiveFigure> {
  const slot = pool.slots[0]!;
  // A batch of one is a new input shape for the session: let it plan its buffers before timing.
  const warm = await tensorFromImage(Buffer.from(await (await fetch(urls[0]!)).arrayBuffer()), pool.model.manifest);
  for (let i = 0; i < 2; i++) await slot.predictBatch([warm]);
  let fetchMs = 0;
  let decodeMs = 0;
  let inferMs = 0;
  const started = performance.now();
  for (const url of urls) {
    const t0 = performance.now();
    const res = await fetch(url);
    if (!res.ok) throw new Error(`naive loop: HTTP ${res.status} for ${url}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    const t1 = performance.now();
    const tensor = await tensorFromImage(bytes, pool.model.manifest);
    const t2 = performance.now();
    await slot.predictBatch([tensor]);
    const t3 = performance.now();
    fetchMs += t1 - t0;
    decodeMs += t2 - t1;
    inferMs += t3 - t2;
  }
  const wallMs = performance.now() - started;
  const n = urls.length;
  return {
    images: n,
    wallMs,
    imagesPerSecond: perSecond(n, wallMs),
    meanFetchMs: fetchMs / n,
    meanDecodeMs: decodeMs / n,
    meanInferMs: inferMs / n,
  };
}
