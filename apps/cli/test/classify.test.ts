import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStaticServer, type StaticServer } from '../dist/static-server.js';
import { parseJsonl, runCliProcess } from './helpers.js';

describe('offsample classify', () => {
  let dir: string;
  let server: StaticServer;
  let inputs: string[];
  let inputsFile: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'offsample-cli-classify-'));
    const gen = await runCliProcess(['dataset', '--count', '6', '--out', path.join(dir, 'images'), '--seed', '3', '--max-size', '96']);
    expect(gen.code).toBe(0);
    const csv = (await readFile(path.join(dir, 'images', 'labels.csv'), 'utf8')).trim().split('\n').slice(1);
    const files = csv.map((l) => l.split(',')[0]!);
    await writeFile(path.join(dir, 'images', 'notes.png'), 'plain text, not an image\n');
    server = await startStaticServer({ root: dir });

    const url = (f: string): string => server.urlFor(`images/${f}`);
    inputs = [
      url(files[0]!),
      server.urlFor('images/missing.png'),
      url(files[1]!),
      url(files[0]!), // a duplicate gets its own line
      server.urlFor('images/notes.png'),
      ...files.slice(2).map(url),
    ];
    inputsFile = path.join(dir, 'inputs.txt');
    await writeFile(inputsFile, `# test inputs\n\n${inputs.slice(0, 3).join('\n')}\n   \n${inputs.slice(3).join('\r\n')}\n`);
  });

  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes one line per input, in input order, with labels and error codes', async () => {
    const out = path.join(dir, 'results.jsonl');
    const r = await runCliProcess(['classify', inputsFile, '--allow-loopback', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`results:`);
    expect(r.stderr).toMatch(/errors:\s+2/);

    const lines = parseJsonl(await readFile(out, 'utf8'));
    expect(lines.map((l) => l.index)).toEqual(inputs.map((_, i) => i));
    expect(lines.map((l) => l.input)).toEqual(inputs);

    expect(lines[1]).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect(lines[4]).toMatchObject({ error: { code: 'NOT_AN_IMAGE' } });
    for (const i of [0, 2, 3, 5, 6, 7, 8]) {
      const line = lines[i]!;
      expect(line.error, JSON.stringify(line)).toBeUndefined();
      expect(['on-sample', 'off-sample']).toContain(line.label);
      const probs = line.probabilities as Record<string, number>;
      expect(Object.keys(probs).sort()).toEqual(['off-sample', 'on-sample']);
      expect(Object.values(probs).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    }
    // The duplicate is classified on its own and, being the same image, the same way.
    expect(lines[3]!.label).toBe(lines[0]!.label);
    expect(lines[3]!.probabilities).toEqual(lines[0]!.probabilities);
  });

  it('writes JSONL to stdout without --out, and refuses loopback unless allowed', async () => {
    const r = await runCliProcess(['classify', inputsFile, '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const lines = parseJsonl(r.stdout);
    expect(lines).toHaveLength(inputs.length);
    for (const line of lines) expect(line).toMatchObject({ error: { code: 'FORBIDDEN_ADDRESS' } });
  });

  it('reads inputs from stdin with -, local paths included (relative to the current folder)', async () => {
    const local = path.join('images', path.basename(new URL(inputs[0]!).pathname));
    const stdin = `${inputs[2]}\n# c\n${inputs[1]}\n${local}\n${path.join(dir, local)}\nimages/absent.png\n`;
    const r = await runCliProcess(['classify', '-', '--allow-loopback', '--quiet'], { stdin, cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const lines = parseJsonl(r.stdout);
    expect(lines.map((l) => [l.index, l.input])).toEqual([
      [0, inputs[2]],
      [1, inputs[1]],
      [2, local],
      [3, path.join(dir, local)],
      [4, 'images/absent.png'],
    ]);
    expect(['on-sample', 'off-sample']).toContain(lines[0]!.label);
    expect(lines[1]).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect(['on-sample', 'off-sample']).toContain(lines[2]!.label);
    expect(lines[3]!.probabilities).toEqual(lines[2]!.probabilities);
    expect(lines[4]).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('a bad config file exits 2 and names the field', async () => {
    const cfg = path.join(dir, 'bad-config.json');
    await writeFile(cfg, JSON.stringify({ predict: { batchSize: 0 } }));
    const r = await runCliProcess(['classify', inputsFile, '--config', cfg]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('predict.batchSize');
    expect(r.stdout).toBe('');

    await writeFile(cfg, JSON.stringify({ load: { maxConcurency: 4 } }));
    const typo = await runCliProcess(['classify', inputsFile, '--config', cfg]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('maxConcurency');

    await writeFile(cfg, '{ not json');
    const notJson = await runCliProcess(['classify', inputsFile, '--config', cfg]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toContain('not valid JSON');
  });

  it('a missing inputs file exits 2', async () => {
    const r = await runCliProcess(['classify', path.join(dir, 'nope.txt')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nope.txt');
  });

  it('prints a progress line and a summary on stderr when not a TTY', async () => {
    const r = await runCliProcess(['classify', inputsFile, '--allow-loopback', '--out', path.join(dir, 'r2.jsonl')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/classify 9\/9 100% \| errors 2 \| [\d.]+ img\/s/);
    expect(r.stderr).toMatch(/NOT_FOUND:?\s+1/);
    expect(r.stderr).toMatch(/throughput:\s+[\d.]+ img\/s/);
  });
});
