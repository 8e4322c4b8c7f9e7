/**
 * `offsample serve` with an API token, stopped by SIGTERM while a job runs: it exits 0 and leaves
 * no child process (task managers) behind.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateDataset } from '@offsample/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/setup/database.js';
import { startStaticServer, type StaticServer } from '../dist/static-server.js';
import { childPids, isAlive, runCliProcess, startCliProcess, type CliDaemon } from './helpers.js';

const TOKEN = 'cli-test-token-0123456789';

describe('offsample serve shutdown', () => {
  let dir: string;
  let tdb: TestDatabase;
  let images: StaticServer;
  let serve: CliDaemon | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'offsample-cli-serve-'));
    tdb = await createTestDatabase();
    const { files } = await generateDataset({ count: 8, outDir: path.join(dir, 'images'), seed: 5, maxSizePx: 64 });
    // Slow answers keep the job running while the gateway is told to stop.
    images = await startStaticServer({ root: dir, latencyMs: 20_000 });
    await writeFile(path.join(dir, 'urls.txt'), files.map((f) => images.urlFor(`images/${f.file}`)).join('\n'));
  });
  afterAll(async () => {
    await serve?.stop(5_000);
    await images?.close();
    await rm(dir, { recursive: true, force: true });
    await tdb?.drop();
  });

  it('requires its API token, and SIGTERM mid-job exits 0 with every task manager gone', async () => {
    serve = startCliProcess(['serve', '--port', '0', '--no-dashboard', '--max-task-managers', '2'], {
      env: { DATABASE_URL: tdb.url, OFFSAMPLE_API_TOKEN: TOKEN },
    });
    const url = (await serve.waitFor(/^graphql:\s+(\S+)$/m))[1]!;
    expect(serve.stdout()).toMatch(/^api token:\s+required/m);

    const anonymous = await runCliProcess(['status', '--url', url], { env: { OFFSAMPLE_API_TOKEN: '' } });
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toContain('needs a valid API token');

    const submitted = await runCliProcess(['submit', 'urls.txt', '--url', url, '--allow-loopback', '--task-managers', '2', '--split-size', '4'], {
      cwd: dir,
      env: { OFFSAMPLE_API_TOKEN: TOKEN },
    });
    expect(submitted.code, submitted.stderr).toBe(0);

    // Wait until both task managers run (child processes of serve) and are fetching.
    const pid = serve.child.pid!;
    let children: number[] = [];
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && (children.length < 2 || images.requestCount() < 2)) {
      await new Promise((r) => setTimeout(r, 100));
      children = await childPids(pid);
    }
    expect(children.length).toBeGreaterThanOrEqual(2);

    const code = await serve.stop();
    expect(code, serve.stderr()).toBe(0);
    expect(serve.stderr()).toContain('SIGTERM: shutting down');
    expect(serve.stderr()).toMatch(/^stopped$/m);
    // Task-manager exits were recorded before the database closed: no write failed on the way down.
    expect(serve.stderr()).not.toMatch(/\berror:|failed: /);
    const alive = [];
    for (const c of children) if (await isAlive(c)) alive.push(c);
    expect(alive).toEqual([]);
  });
});
