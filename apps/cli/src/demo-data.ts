/**
 * The demo's data folder: seeded synthetic images (reused while count and seed are unchanged) plus
 * a few deliberately bad inputs, so a run shows both results and error records.
 *
 *   <dir>/images/img-000001.png …, labels.csv, dataset.json (what generated them)
 *   <dir>/bad/corrupt.png          a real PNG cut short
 *   <dir>/bad/not-an-image.png     text with an image's name
 *   bad/does-not-exist.png         never written: its URL answers 404
 */
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateDataset } from '@offsample/model';
import { readLabelsCsv } from './labels-csv.js';

export interface DemoDataOptions {
  dir: string;
  count: number;
  seed: number;
}

export interface DemoData {
  /** Folder to serve; every path below is relative to it, with '/' separators. */
  root: string;
  images: { path: string; label: string }[];
  bad: { missing: string; corrupt: string; notAnImage: string };
  /** True when images from an earlier run with the same count and seed were reused. */
  reused: boolean;
}

interface DatasetStamp {
  count: number;
  seed: number;
}

async function readStamp(file: string): Promise<DatasetStamp | null> {
  try {
    const raw = JSON.parse(await readFile(file, 'utf8')) as Partial<DatasetStamp>;
    return typeof raw.count === 'number' && typeof raw.seed === 'number' ? { count: raw.count, seed: raw.seed } : null;
  } catch {
    return null;
  }
}

/** Every listed image is still on disk (someone may have deleted a few). */
async function allPresent(dir: string, files: string[]): Promise<boolean> {
  for (const f of files) {
    const st = await stat(path.join(dir, f)).catch(() => undefined);
    if (!st?.isFile() || st.size === 0) return false;
  }
  return true;
}

export async function prepareDemoData(options: DemoDataOptions): Promise<DemoData> {
  const root = path.resolve(options.dir);
  const imagesDir = path.join(root, 'images');
  const stampFile = path.join(imagesDir, 'dataset.json');
  const labelsFile = path.join(imagesDir, 'labels.csv');

  let reused = false;
  let rows: { file: string; label: string }[] | null = null;
  const stamp = await readStamp(stampFile);
  if (stamp?.count === options.count && stamp.seed === options.seed) {
    rows = await readLabelsCsv(labelsFile).catch(() => null);
    reused = rows !== null && rows.length === options.count && (await allPresent(imagesDir, rows.map((r) => r.file)));
  }
  if (!reused) {
    // Start clean: files of an earlier, larger run must not linger next to the new ones.
    await rm(imagesDir, { recursive: true, force: true });
    rows = (await generateDataset({ count: options.count, outDir: imagesDir, seed: options.seed })).files;
    // Written last: a run interrupted while generating is not mistaken for a finished one.
    await writeFile(stampFile, `${JSON.stringify({ count: options.count, seed: options.seed })}\n`);
  }

  const badDir = path.join(root, 'bad');
  await mkdir(badDir, { recursive: true });
  const first = rows?.[0];
  const sample = first ? await readFile(path.join(imagesDir, first.file)) : Buffer.alloc(0);
  // Half of a real PNG: valid signature and header, data cut off mid-stream.
  await writeFile(path.join(badDir, 'corrupt.png'), sample.subarray(0, Math.max(24, Math.floor(sample.length / 2))));
  await writeFile(path.join(badDir, 'not-an-image.png'), 'This is a text file, not an image.\n');

  return {
    root,
    images: (rows ?? []).map((r) => ({ path: `images/${r.file}`, label: r.label })),
    bad: { missing: 'bad/does-not-exist.png', corrupt: 'bad/corrupt.png', notAnImage: 'bad/not-an-image.png' },
    reused,
  };
}
