/**
 * Kill the gateway process (and its task managers) mid-job, start it again: the job completes with
 * exactly one result per input, and no split that was DONE before the crash is done again.
 * Real gateway processes (serveGateway in a child), real Postgres, the typed client.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '@offsample/model';
import { createTestDatabase, type TestDatabase } from '../../../test/setup/database.js';
import { createGatewayClient, type GatewayClient } from '../dist/client.js';
import { startImageServer, waitFor, type ImageServer } from './helpers.js';

const CHILD = fileURLToPath(new URL('./fixtures/serve-child.mjs', import.meta.url));
const IMAGES = 24;
/** Each image takes this long to arrive, one at a time per task manager: ~1.5 s per split of 3. */
const LATENCY_MS = 500;

let tdb: TestDatabase;
let dir: string;
let images: ImageServer;
let pool: pg.Pool;
const children = new Set<ChildProcess>();

/** A gateway process in its own process group, so a crash can take its task managers with it. */
async function startGatewayProcess(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [CHILD], {
    env: { ...process.env, TEST_DATABASE_URL: tdb.url },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.once('exit', (code) => reject(new Error(`gateway process exited (${code}) before listening: ${out}`)));
  });
  return { child, url };
}

async function killGroup(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  try {
    process.kill(-child.pid!, signal);
  } catch {
    child.kill(signal);
  }
  await exited;
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  pool = new pg.Pool({ connectionString: tdb.url, max: 2 });
  dir = await mkdtemp(path.join(tmpdir(), 'gateway-restart-'));
  await generateDataset({ count: IMAGES, outDir: dir, seed: 9, minSizePx: 24, maxSizePx: 48 });
  images = await startImageServer(dir, LATENCY_MS);
});

afterAll(async () => {
  for (const child of [...children]) await killGroup(child, 'SIGKILL');
  await pool?.end();
  await images?.close();
  await tdb?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('gateway restart', () => {
  it('a job survives a crash of the gateway process: one result per input, no DONE split redone', async () => {
    const first = await startGatewayProcess();
    let client: GatewayClient = createGatewayClient({ url: first.url });
    const inputs = Array.from({ length: IMAGES }, (_, i) => `${images.url}/slow/img-${String(i + 1).padStart(6, '0')}.png`);
    const job = await client.submitJob({
      name: 'survives-restart',
      inputs,
      splitSize: 3,
      numTaskManagers: 2,
      taskManagerConfig: { load: { allowLoopback: true, maxConcurrency: 1 } },
    });
    await client.close();

    // Crash once some splits are DONE and others are not.
    await waitFor('two splits done', async () => {
      const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM splits WHERE job_id = $1 AND status = 'DONE'`, [job.id]);
      return rows[0]!.n >= 2;
    });
    await killGroup(first.child, 'SIGKILL');
    const before = await pool.query<{ id: string; winner_attempt_id: string; done_at: Date }>(
      `SELECT id, winner_attempt_id, done_at FROM splits WHERE job_id = $1 AND status = 'DONE' ORDER BY ordinal`,
      [job.id],
    );
    const { rows: statusRows } = await pool.query<{ status: string }>(`SELECT status FROM jobs WHERE id = $1`, [job.id]);
    expect(statusRows[0]!.status).toBe('RUNNING');
    expect(before.rows.length).toBeGreaterThanOrEqual(2);
    expect(before.rows.length).toBeLessThan(IMAGES / 3);

    const second = await startGatewayProcess();
    client = createGatewayClient({ url: second.url });
    const final = await client.followProgress(job.id);
    expect(final).toMatchObject({ status: 'SUCCEEDED', done: IMAGES, failed: 0, totalInputs: IMAGES });

    const indexes: number[] = [];
    for await (const r of client.results(job.id, { pageSize: 7 })) {
      expect(r.errorCode).toBeNull();
      indexes.push(r.inputIndex);
    }
    await client.close();
    expect(indexes).toEqual(Array.from({ length: IMAGES }, (_, i) => i));

    // Splits DONE before the crash kept their winner and their completion time…
    const after = await pool.query<{ id: string; winner_attempt_id: string; done_at: Date }>(
      `SELECT id, winner_attempt_id, done_at FROM splits WHERE id = ANY($1::uuid[]) ORDER BY ordinal`,
      [before.rows.map((r) => r.id)],
    );
    expect(after.rows).toEqual(before.rows);
    // …and no split has more than one successful attempt.
    const twice = await pool.query(
      `SELECT split_id FROM attempts WHERE job_id = $1 AND status = 'SUCCEEDED' GROUP BY split_id HAVING count(*) > 1`,
      [job.id],
    );
    expect(twice.rows).toEqual([]);

    await killGroup(second.child, 'SIGTERM');
    expect(second.child.exitCode).toBe(0);
  });
});
