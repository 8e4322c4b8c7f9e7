/**
 * `serve`, `submit`, `status` and `results` as a user runs them: the built CLI in child
 * processes, a real gateway (serve) on a free port, real task managers, a fresh test database.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDataset } from '@offsample/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/setup/database.js';
import { startStaticServer } from '../dist/static-server.js';
import { parseJsonl, runCliProcess, startCliProcess, type CliDaemon } from './helpers.js';

const DASHBOARD_BUILT = existsSync(fileURLToPath(new URL('../../dashboard/.next/BUILD_ID', import.meta.url)));

describe('offsample serve + submit / status / results', () => {
  let dir: string;
  let tdb: TestDatabase;
  let serve: CliDaemon;
  let url: string;
  let expected: Map<string, string>;
  const inputs: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'offsample-cli-gw-'));
    tdb = await createTestDatabase();
    const { files } = await generateDataset({ count: 12, outDir: path.join(dir, 'images'), seed: 11, maxSizePx: 96 });
    expected = new Map(files.map((f) => [path.join(dir, 'images', f.file), f.label]));
    // Relative paths (submit makes them absolute), a missing file, and a duplicate line.
    inputs.push(...files.map((f) => `images/${f.file}`));
    inputs.splice(4, 0, 'images/missing.png');
    inputs.push(inputs[0]!);
    await writeFile(path.join(dir, 'inputs.txt'), `# a test job\n${inputs.join('\n')}\n`);

    serve = startCliProcess(['serve', '--port', '0', '--dashboard-port', '0', '--max-task-managers', '2'], { env: { DATABASE_URL: tdb.url, OFFSAMPLE_API_TOKEN: '' } });
    url = (await serve.waitFor(/^graphql:\s+(\S+)$/m))[1]!;
    await serve.waitFor(/^press Ctrl-C to stop$/m);
  });
  afterAll(async () => {
    await serve?.stop();
    await rm(dir, { recursive: true, force: true });
    await tdb?.drop();
  });

  const cli = (args: string[], env: NodeJS.ProcessEnv = {}) => runCliProcess(args, { cwd: dir, env: { OFFSAMPLE_API_TOKEN: '', ...env } });

  it('prints the GraphQL, WebSocket and dashboard URLs', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
    expect(serve.stdout()).toMatch(/^websocket:\s+ws:\/\/127\.0\.0\.1:\d+\/graphql$/m);
    const dashboard = serve.stdout().match(/^dashboard:\s+(.+)$/m)?.[1] ?? '';
    if (DASHBOARD_BUILT) {
      expect(dashboard).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(dashboard);
      expect(res.status).toBe(200);
      await res.body?.cancel();
    } else {
      expect(dashboard).toContain('no production build');
    }
  });

  it('submit --wait runs a job to the end; status and results read it back in input order', async () => {
    const out = path.join(dir, 'out');
    const r = await cli(['submit', 'inputs.txt', '--url', url, '--wait', '--split-size', '4', '--task-managers', '2', '--output-location', 'out']);
    expect(r.code, r.stderr).toBe(0);
    const jobId = r.stdout.trim();
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.stderr).toMatch(/status:\s+SUCCEEDED/);
    expect(r.stderr).toMatch(/errors:\s+1\n\s+NOT_FOUND:\s+1/);
    expect(r.stderr).toMatch(/submit .*14\/14 100%/);

    const detail = await cli(['status', jobId, '--url', url]);
    expect(detail.code, detail.stderr).toBe(0);
    expect(detail.stdout).toMatch(/status:\s+SUCCEEDED/);
    expect(detail.stdout).toMatch(/progress:\s+14\/14 100% \(13 classified, 1 errors\)/);
    expect(detail.stdout).toMatch(/splits:\s+4 of up to 4 inputs: 4 done, 0 running, 0 pending, 0 failed/);
    expect(detail.stdout).toMatch(/errors:\s+NOT_FOUND 1/);
    expect(detail.stdout).toMatch(/stuck splits:\s+0/);

    // The URL from the environment this time.
    const list = await cli(['status'], { OFFSAMPLE_GATEWAY_URL: url });
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^ID\s+NAME\s+STATUS\s+PROGRESS\s+IMG\/S\s+BACKEND\s+STARTED/);
    expect(list.stdout).toMatch(new RegExp(`^${jobId}\\s+inputs\\s+SUCCEEDED\\s+14/14 100% \\(1 err\\)\\s+[\\d.]+\\s+local\\s`, 'm'));

    const jsonl = await cli(['results', jobId, '--url', url, '--format', 'jsonl']);
    expect(jsonl.code, jsonl.stderr).toBe(0);
    const lines = parseJsonl(jsonl.stdout);
    expect(lines.map((l) => l.index)).toEqual(inputs.map((_, i) => i));
    expect(lines.map((l) => l.input)).toEqual(inputs.map((i) => path.join(dir, i)));
    expect((lines[4]!.error as { code: string }).code).toBe('NOT_FOUND');
    let correct = 0;
    for (const l of lines) if (l.label !== undefined && expected.get(l.input as string) === l.label) correct++;
    expect(correct).toBeGreaterThanOrEqual(12); // 13 labelled lines; the model is ≥ 95 % accurate
    // The same lines as the job's own local export.
    expect(jsonl.stdout).toBe(await readFile(path.join(out, 'results.jsonl'), 'utf8'));

    const csvFile = path.join(dir, 'results.csv');
    const csv = await cli(['results', jobId, '--url', url, '--out', csvFile]);
    expect(csv.code, csv.stderr).toBe(0);
    const rows = (await readFile(csvFile, 'utf8')).split('\r\n').filter(Boolean);
    expect(rows[0]).toBe('input_index,input,label,probabilities,error_code,error_message');
    expect(rows).toHaveLength(inputs.length + 1);
    expect(rows.slice(1).map((row) => Number(row.split(',')[0]))).toEqual(inputs.map((_, i) => i));
    expect(rows[5]).toMatch(/^4,.*missing\.png,,,NOT_FOUND,/);

    const onlyErrors = await cli(['results', jobId, '--url', url, '--format', 'csv', '--error-code', 'NOT_FOUND']);
    expect(onlyErrors.stdout.split('\r\n').filter(Boolean)).toHaveLength(2);
  });

  it('submit --inputs-from hands the gateway a file to read', async () => {
    const listFile = path.join(dir, 'absolute.txt');
    await writeFile(listFile, [...expected.keys()].slice(0, 3).join('\n'));
    const r = await cli(['submit', '--inputs-from', 'absolute.txt', '--url', url, '--name', 'from-file', '--wait', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`read by the gateway from ${listFile}`);
    expect(r.stderr).toMatch(/inputs:\s+3\n/);
  });

  it('submit --wait exits 1 when the job is cancelled (offsample cancel); its inputs get CANCELLED records', async () => {
    // Answers slower than the test: the job is still running when it is cancelled.
    const slow = await startStaticServer({ root: dir, latencyMs: 60_000 });
    try {
      await writeFile(path.join(dir, 'slow.txt'), [...expected.keys()].slice(0, 4).map((f) => slow.urlFor(path.relative(dir, f))).join('\n'));
      const waiting = startCliProcess(['submit', 'slow.txt', '--url', url, '--allow-loopback', '--wait', '--task-managers', '1'], { cwd: dir, env: { OFFSAMPLE_API_TOKEN: '' } });
      const jobId = (await waiting.waitFor(/^([0-9a-f-]{36})$/m))[1]!;
      const cancelled = await cli(['cancel', jobId, '--url', url]);
      expect(cancelled.code, cancelled.stderr).toBe(0);
      expect(cancelled.stdout.trim()).toBe(`${jobId} CANCELLED`);
      expect(await waiting.exited).toBe(1);
      expect(waiting.stderr()).toMatch(/status:\s+CANCELLED/);
      const records = await cli(['results', jobId, '--url', url, '--error-code', 'CANCELLED']);
      expect(parseJsonl(records.stdout)).toHaveLength(4);
    } finally {
      await slow.close();
    }
  });

  it('a setting the gateway refuses exits 2 naming the field and the flag', async () => {
    const r = await cli(['submit', 'inputs.txt', '--url', url, '--split-size', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/input\.splitSize \(--split-size\): .*0/);
    expect(r.stdout).toBe('');

    const s3 = await cli(['submit', 'inputs.txt', '--url', url, '--output-storage', 's3']);
    expect(s3.code).toBe(2);
    expect(s3.stderr).toContain('input.output.bucket (--output-bucket)');

    const mode = await cli(['submit', 'inputs.txt', '--url', url, '--split-mode', 'sideways']);
    expect(mode.code).toBe(2);
    expect(mode.stderr).toContain('--split-mode');
  });

  it('an unknown job id exits 2; an unreachable gateway or a bad environment value says so', async () => {
    const unknown = await cli(['status', '00000000-0000-4000-8000-000000000000', '--url', url]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no job with id');

    const down = await cli(['status', '--url', 'http://127.0.0.1:9/graphql']);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('cannot reach the gateway at http://127.0.0.1:9/graphql');

    const badEnv = await cli(['status'], { OFFSAMPLE_GATEWAY_URL: 'not a url' });
    expect(badEnv.code).toBe(2);
    expect(badEnv.stderr).toContain('OFFSAMPLE_GATEWAY_URL');
  });
});
