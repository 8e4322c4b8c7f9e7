import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliProcess } from './helpers.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('offsample dataset', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'offsample-cli-dataset-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes N PNG images and a labels.csv naming each of them', async () => {
    const out = path.join(dir, 'set');
    const r = await runCliProcess(['dataset', '--count', '12', '--out', out, '--seed', '7', '--max-size', '64']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('wrote 12 images');

    const pngs = (await readdir(out)).filter((f) => f.endsWith('.png')).sort();
    expect(pngs).toHaveLength(12);
    for (const f of pngs) expect((await readFile(path.join(out, f))).subarray(0, 8)).toEqual(PNG_SIGNATURE);

    const lines = (await readFile(path.join(out, 'labels.csv'), 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('file,label');
    const rows = lines.slice(1).map((l) => l.split(','));
    expect(rows.map((r) => r[0]).sort()).toEqual(pngs);
    expect(new Set(rows.map((r) => r[1]))).toEqual(new Set(['on-sample', 'off-sample']));
  });

  it('the same seed gives the same images', async () => {
    const a = path.join(dir, 'a');
    const b = path.join(dir, 'b');
    for (const out of [a, b]) {
      expect((await runCliProcess(['dataset', '--count', '3', '--out', out, '--seed', '5', '--max-size', '48'])).code).toBe(0);
    }
    for (const f of ['img-000001.png', 'img-000003.png', 'labels.csv']) {
      expect(await readFile(path.join(a, f))).toEqual(await readFile(path.join(b, f)));
    }
  });

  it('bad sizes exit 2 naming the field', async () => {
    const r = await runCliProcess(['dataset', '--count', '3', '--out', path.join(dir, 'c'), '--min-size', '200', '--max-size', '100']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('maxSizePx');
  });
});
