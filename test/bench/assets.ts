/**
 * What every section shares: the ResNet-50-shaped model (regenerated each run, never committed)
 * and the image set (generated once into bench-output/, reused while it holds enough images).
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { generateDataset, loadModel, writeResNet50Onnx } from '@offsample/model';
import type { LoadedModel } from '@offsample/task-runtime';
import { BENCH_DEFAULTS } from './defaults.js';

export interface BenchDataset {
  dir: string;
  /** File names relative to `dir`, in dataset order. */
  files: string[];
  /** True when the files were written by this run. */
  generated: boolean;
  ms: number;
}

export interface BenchModel extends LoadedModel {
  dir: string;
  generated: boolean;
  ms: number;
}

export async function prepareModel(outDir: string, reuse: boolean): Promise<BenchModel> {
  const dir = path.join(outDir, 'model-resnet50');
  const started = performance.now();
  if (reuse) {
    const existing = await loadModel(dir).catch(() => undefined);
    if (existing !== undefined) return { ...existing, dir, generated: false, ms: performance.now() - started };
  }
  await rm(dir, { recursive: true, force: true });
  await writeResNet50Onnx(path.join(dir, 'model.onnx'), { seed: BENCH_DEFAULTS.model.seed, classes: BENCH_DEFAULTS.model.classes });
  const model = await loadModel(dir);
  return { ...model, dir, generated: true, ms: performance.now() - started };
}

export async function prepareDataset(outDir: string, count: number): Promise<BenchDataset> {
  const { seed, minSizePx, maxSizePx } = BENCH_DEFAULTS.dataset;
  const dir = path.join(outDir, `images-s${seed}-${minSizePx}-${maxSizePx}`);
  const started = performance.now();
  const existing = await readLabels(dir);
  // A larger set serves a smaller run (its first `count` files); a smaller one is replaced.
  if (existing !== undefined && existing.length >= count) {
    return { dir, files: existing.slice(0, count), generated: false, ms: performance.now() - started };
  }
  await rm(dir, { recursive: true, force: true });
  const { files } = await generateDataset({ count, outDir: dir, seed, minSizePx, maxSizePx });
  return { dir, files: files.map((f) => f.file), generated: true, ms: performance.now() - started };
}

/** File names from labels.csv (`file,label` with a header), or undefined when absent. */
async function readLabels(dir: string): Promise<string[] | undefined> {
  const text = await readFile(path.join(dir, 'labels.csv'), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  return text
    .split('\n')
    .slice(1)
    .filter((line) => line.trim() !== '')
    .map((line) => line.split(',')[0]!);
}
