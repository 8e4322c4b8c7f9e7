/**
 * Labelled datasets of synthetic ion images: planned from one seed (labels, sizes, per-image seeds),
 * written as greyscale PNGs plus labels.csv.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { z } from 'zod';
import { DATASET_DEFAULTS } from './defaults.js';
import { ModelError, ModelErrorCode } from './errors.js';
import { generateIonImage, IonLabel, type IonImage } from './generator.js';
import { deriveSeed, mulberry32, randInt, shuffleInPlace } from './random.js';

export interface DatasetPlanOptions {
  count: number;
  seed: number;
  minSizePx?: number;
  maxSizePx?: number;
  offSampleFraction?: number;
}

export interface GenerateDatasetOptions extends DatasetPlanOptions {
  outDir: string;
}

export interface DatasetItem {
  /** e.g. img-000001.png */
  file: string;
  label: IonLabel;
  sizePx: number;
  /** Seed of this one image (derived from the dataset seed and the item number). */
  seed: number;
}

const PlanSchema = z
  .object({
    count: z.number().int().min(1).max(10_000_000),
    seed: z.number().int(),
    minSizePx: z.number().int().min(8).max(4096),
    maxSizePx: z.number().int().min(8).max(4096),
    offSampleFraction: z.number().min(0).max(1),
  })
  .refine((o) => o.minSizePx <= o.maxSizePx, { path: ['maxSizePx'], message: 'must be >= minSizePx' });

type CompiledPlan = z.infer<typeof PlanSchema>;

function compileOptions(opts: DatasetPlanOptions): CompiledPlan {
  const merged = {
    count: opts.count,
    seed: opts.seed,
    minSizePx: opts.minSizePx ?? DATASET_DEFAULTS.minSizePx,
    maxSizePx: opts.maxSizePx ?? DATASET_DEFAULTS.maxSizePx,
    offSampleFraction: opts.offSampleFraction ?? DATASET_DEFAULTS.offSampleFraction,
  };
  const res = PlanSchema.safeParse(merged);
  if (res.success) return res.data;
  const issue = res.error.issues[0]!;
  const field = issue.path.join('.');
  const value = (merged as Record<string, unknown>)[field];
  throw new ModelError(ModelErrorCode.InvalidOptions, `dataset option ${field} = ${String(value)}: ${issue.message}`);
}

/** Labels, sizes and image seeds of a dataset, without rendering anything. */
export function planDataset(opts: DatasetPlanOptions): DatasetItem[] {
  const o = compileOptions(opts);
  const rng = mulberry32(deriveSeed(o.seed, 0));
  // Exact class counts (not a coin per image), so both classes are present whenever the fraction allows.
  const offCount = Math.round(o.count * o.offSampleFraction);
  const labels: IonLabel[] = Array.from({ length: o.count }, (_, i) => (i < offCount ? IonLabel.OffSample : IonLabel.OnSample));
  shuffleInPlace(rng, labels);
  return labels.map((label, i) => ({
    file: `img-${String(i + 1).padStart(6, '0')}.png`,
    label,
    sizePx: randInt(rng, o.minSizePx, o.maxSizePx),
    seed: deriveSeed(o.seed, i + 1),
  }));
}

/** Greyscale PNG of an ion image; fixed encoder settings, so equal images give equal bytes. */
export async function encodePng(image: IonImage): Promise<Buffer> {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: 1 } })
    .toColourspace('b-w') // else sharp writes an RGB PNG
    .png({ compressionLevel: DATASET_DEFAULTS.pngCompressionLevel, adaptiveFiltering: false, palette: false })
    .toBuffer();
}

/** Renders one planned item to PNG bytes. */
export async function renderItem(item: DatasetItem): Promise<Buffer> {
  return encodePng(generateIonImage({ seed: item.seed, label: item.label, sizePx: item.sizePx }));
}

/** Writes img-000001.png … and labels.csv (`file,label`) into outDir. */
export async function generateDataset(opts: GenerateDatasetOptions): Promise<{ files: { file: string; label: IonLabel }[] }> {
  const items = planDataset(opts);
  await mkdir(opts.outDir, { recursive: true });
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      await writeFile(path.join(opts.outDir, item.file), await renderItem(item));
    }
  };
  await Promise.all(Array.from({ length: Math.min(DATASET_DEFAULTS.writeConcurrency, items.length) }, worker));
  const csv = ['file,label', ...items.map((it) => `${it.file},${it.label}`)].join('\n') + '\n';
  await writeFile(path.join(opts.outDir, 'labels.csv'), csv);
  return { files: items.map(({ file, label }) => ({ file, label })) };
}
