import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/setup/database.js';
import { parseJsonl, runCliProcess } from './helpers.js';

describe('offsample demo', () => {
  let dir: string;
  let tdb: TestDatabase;
  // The demo's job goes through the orchestrator: give it a fresh database on the test server.
  const env = () => ({ DATABASE_URL: tdb.url });
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'offsample-cli-demo-'));
    tdb = await createTestDatabase();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await tdb?.drop();
  });

  it('generates, serves and classifies images plus three bad inputs, then reuses the images', async () => {
    const r = await runCliProcess(['demo', '--count', '40', '--dir', dir], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('generated 40 images');
    expect(r.stderr).toMatch(/accuracy:\s+[\d.]+% \(\d+\/40 labelled images\)/);
    expect(r.stderr).toMatch(/errors:\s+3/);
    expect(r.stderr).toMatch(/task managers:\s+4/);
    expect(r.stderr).toMatch(/status:\s+SUCCEEDED/);

    const lines = parseJsonl(await readFile(path.join(dir, 'results', 'results.jsonl'), 'utf8'));
    expect(lines).toHaveLength(43);
    expect(lines.map((l) => l.index)).toEqual(lines.map((_, i) => i));
    const codes = lines.flatMap((l) => ((l.error as { code: string } | undefined)?.code ?? []) as string[]).sort();
    expect(codes).toHaveLength(3);
    expect(codes).toContain('NOT_FOUND');
    expect(codes).toContain('NOT_AN_IMAGE');

    const stamp = (await stat(path.join(dir, 'images', 'dataset.json'))).mtimeMs;
    const again = await runCliProcess(['demo', '--count', '40', '--dir', dir], { env: env() });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('reusing 40 images');
    expect((await stat(path.join(dir, 'images', 'dataset.json'))).mtimeMs).toBe(stamp);
  });
});
