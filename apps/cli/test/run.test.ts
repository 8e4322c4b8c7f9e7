import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateDataset } from '@offsample/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/setup/database.js';
import { parseJsonl, runCliProcess } from './helpers.js';

describe('offsample run', () => {
  let dir: string;
  let tdb: TestDatabase;
  let inputsFile: string;
  let expected: Map<string, string>;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'offsample-cli-run-'));
    tdb = await createTestDatabase();
    const { files } = await generateDataset({ count: 24, outDir: path.join(dir, 'images'), seed: 7, maxSizePx: 96 });
    expected = new Map(files.map((f) => [path.join(dir, 'images', f.file), f.label]));
    const inputs = [...expected.keys()];
    inputs.splice(5, 0, path.join(dir, 'images', 'missing.png'));
    inputs.push(inputs[0]!); // a duplicate gets its own line
    inputsFile = path.join(dir, 'inputs.txt');
    await writeFile(inputsFile, `# local files\n${inputs.join('\n')}\n`);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await tdb?.drop();
  });

  it('runs a job through the orchestrator on local task managers and writes JSONL + summary', async () => {
    const out = path.join(dir, 'out');
    const r = await runCliProcess(['run', inputsFile, '--out', out, '--task-managers', '2', '--split-size', '5'], {
      env: { DATABASE_URL: tdb.url },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/status:\s+SUCCEEDED/);
    expect(r.stderr).toMatch(/errors:\s+1/);
    const lines = parseJsonl(await readFile(path.join(out, 'results.jsonl'), 'utf8'));
    expect(lines).toHaveLength(26);
    expect(lines.map((l) => l.index)).toEqual(lines.map((_, i) => i));
    expect((lines[5]!.error as { code: string }).code).toBe('NOT_FOUND');
    let correct = 0;
    for (const l of lines) if (l.label !== undefined && expected.get(l.input as string) === l.label) correct++;
    expect(correct).toBeGreaterThanOrEqual(23); // 25 labelled lines (one duplicate), the model is ≥ 95 % accurate
    const summary = JSON.parse(await readFile(path.join(out, 'summary.json'), 'utf8')) as { totalInputs: number; plan: { numSplits: number } };
    expect(summary.totalInputs).toBe(26);
    expect(summary.plan.numSplits).toBe(6);
  });

  it('refuses a bad job setting with exit code 2 naming the field', async () => {
    const r = await runCliProcess(['run', inputsFile, '--split-mode', 'sideways'], { env: { DATABASE_URL: tdb.url } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--split-mode');
  });
});
