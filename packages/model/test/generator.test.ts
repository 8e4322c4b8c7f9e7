import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { generateDataset, generateIonImage, ModelError, planDataset } from '@offsample/model';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'offsample-gen-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('generateIonImage', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = generateIonImage({ seed: 42, label: 'on-sample', sizePx: 64 });
    const b = generateIonImage({ seed: 42, label: 'on-sample', sizePx: 64 });
    const c = generateIonImage({ seed: 43, label: 'on-sample', sizePx: 64 });
    expect(a.width).toBe(64);
    expect(a.height).toBe(64);
    expect(a.data.length).toBe(64 * 64);
    expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true);
    expect(Buffer.from(a.data).equals(Buffer.from(c.data))).toBe(false);
  });

  it('puts on-sample signal in a compact region and off-sample signal towards the border on average', () => {
    // Mean intensity of the outer frame relative to the centre, averaged over many images per class.
    const ratio = (label: 'on-sample' | 'off-sample'): number => {
      let frame = 0;
      let centre = 0;
      for (let s = 0; s < 40; s++) {
        const { data } = generateIonImage({ seed: 1000 + s, label, sizePx: 64 });
        for (let y = 0; y < 64; y++) {
          for (let x = 0; x < 64; x++) {
            const v = data[y * 64 + x]!;
            if (x < 8 || y < 8 || x >= 56 || y >= 56) frame += v;
            else if (x >= 24 && x < 40 && y >= 24 && y < 40) centre += v;
          }
        }
      }
      return frame / 1792 / (centre / 256 + 1);
    };
    expect(ratio('off-sample')).toBeGreaterThan(3 * ratio('on-sample'));
  });

  it('rejects bad sizes and labels', () => {
    expect(() => generateIonImage({ seed: 1, label: 'on-sample', sizePx: 3 })).toThrow(/sizePx = 3/);
    expect(() => generateIonImage({ seed: 1, label: 'maybe' as 'on-sample', sizePx: 32 })).toThrow(/label = "maybe"/);
  });
});

describe('generateDataset', () => {
  it('writes greyscale PNGs of 32–256 px and a matching labels.csv, identical for the same seed', async () => {
    const [d1, d2] = [await tempDir(), await tempDir()];
    const r1 = await generateDataset({ count: 24, outDir: d1, seed: 7 });
    const r2 = await generateDataset({ count: 24, outDir: d2, seed: 7 });
    expect(r1.files).toEqual(r2.files);
    expect(r1.files[0]!.file).toBe('img-000001.png');
    expect(r1.files.filter((f) => f.label === 'off-sample')).toHaveLength(12);
    expect(r1.files.filter((f) => f.label === 'on-sample')).toHaveLength(12);

    const csv = await readFile(path.join(d1, 'labels.csv'), 'utf8');
    expect(csv).toBe(['file,label', ...r1.files.map((f) => `${f.file},${f.label}`)].join('\n') + '\n');
    expect((await readdir(d1)).sort()).toEqual([...r1.files.map((f) => f.file), 'labels.csv'].sort());

    const sizes = new Set<number>();
    for (const { file } of r1.files) {
      const bytes = await readFile(path.join(d1, file));
      expect(bytes.equals(await readFile(path.join(d2, file)))).toBe(true);
      const meta = await sharp(bytes).metadata();
      expect(meta.format).toBe('png');
      expect(meta.channels).toBe(1);
      expect(meta.width).toBe(meta.height);
      expect(meta.width).toBeGreaterThanOrEqual(32);
      expect(meta.width).toBeLessThanOrEqual(256);
      sizes.add(meta.width!);
    }
    expect(sizes.size).toBeGreaterThan(5);
  });

  it('honours size range and class fraction, and names bad options', async () => {
    const items = planDataset({ count: 50, seed: 3, minSizePx: 40, maxSizePx: 48, offSampleFraction: 0.2 });
    expect(items.every((i) => i.sizePx >= 40 && i.sizePx <= 48)).toBe(true);
    expect(items.filter((i) => i.label === 'off-sample')).toHaveLength(10);
    expect(planDataset({ count: 50, seed: 4 })).not.toEqual(planDataset({ count: 50, seed: 3 }));
    expect(() => planDataset({ count: 5, seed: 1, offSampleFraction: 1.5 })).toThrow(ModelError);
    expect(() => planDataset({ count: 5, seed: 1, offSampleFraction: 1.5 })).toThrow(/offSampleFraction = 1.5/);
    expect(() => planDataset({ count: 5, seed: 1, minSizePx: 64, maxSizePx: 32 })).toThrow(/maxSizePx = 32/);
  });
});
