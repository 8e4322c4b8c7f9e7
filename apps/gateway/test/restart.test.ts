/**
 * Kill the gateway process (and its task managers) mid-job, start it again: the job completes with
 * exactly one result per input, and no split that was DONE before the crash is done again. Then
 * the same with Postgres itself killed too (its own embedded server, SIGKILL, crash recovery on
 * restart): claims and completes commit asynchronously, so the crash may undo the last of them, and
 * still every input ends with exactly one result.
 * Real gateway processes (serveGateway in a child), real Postgres, the typed client.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '@offsample/model';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '@offsample/orchestrator-core';
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
async function startGatewayProcess(databaseUrl: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [CHILD], {
    env: { ...process.env, TEST_DATABASE_URL: databaseUrl },
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

type DoneSplit = { id: string; winner_attempt_id: string; done_at: Date };

/** Submits the slow job through a gateway process and waits until two of its splits are DONE. */
async function submitAndWait(gatewayUrl: string, db: pg.Pool): Promise<string> {
  const client = createGatewayClient({ url: gatewayUrl });
  const inputs = Array.from({ length: IMAGES }, (_, i) => `${images.url}/slow/img-${String(i + 1).padStart(6, '0')}.png`);
  const job = await client.submitJob({
    name: 'survives-restart',
    inputs,
    splitSize: 3,
    numTaskManagers: 2,
    taskManagerConfig: { load: { allowLoopback: true, maxConcurrency: 1 } },
  });
  await client.close();
  await waitFor('two splits done', async () => {
    const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM splits WHERE job_id = $1 AND status = 'DONE'`, [job.id]);
    return rows[0]!.n >= 2;
  });
  return job.id;
}

/** The splits DONE now (as Postgres has them), after checking that the job is still running. */
async function doneSplits(db: pg.Pool, jobId: string): Promise<DoneSplit[]> {
  const { rows: statusRows } = await db.query<{ status: string }>(`SELECT status FROM jobs WHERE id = $1`, [jobId]);
  expect(statusRows[0]!.status).toBe('RUNNING');
  const { rows } = await db.query<DoneSplit>(
    `SELECT id, winner_attempt_id, done_at FROM splits WHERE job_id = $1 AND status = 'DONE' ORDER BY ordinal`,
    [jobId],
  );
  expect(rows.length).toBeLessThan(IMAGES / 3);
  return rows;
}

/**
 * A new gateway process finishes the job: one result per input, every split DONE before it started
 * kept its winner and completion time, no split with two successful attempts. Then it stops cleanly.
 */
async function finishesOnce(databaseUrl: string, db: pg.Pool, jobId: string, before: DoneSplit[]): Promise<void> {
  const second = await startGatewayProcess(databaseUrl);
  const client = createGatewayClient({ url: second.url });
  const final = await client.followProgress(jobId);
  expect(final).toMatchObject({ status: 'SUCCEEDED', done: IMAGES, failed: 0, totalInputs: IMAGES });

  const indexes: number[] = [];
  for await (const r of client.results(jobId, { pageSize: 7 })) {
    expect(r.errorCode).toBeNull();
    indexes.push(r.inputIndex);
  }
  await client.close();
  expect(indexes).toEqual(Array.from({ length: IMAGES }, (_, i) => i));

  // Splits DONE before the crash kept their winner and their completion time…
  const after = await db.query<DoneSplit>(
    `SELECT id, winner_attempt_id, done_at FROM splits WHERE id = ANY($1::uuid[]) ORDER BY ordinal`,
    [before.map((r) => r.id)],
  );
  expect(after.rows).toEqual(before);
  // …and no split has more than one successful attempt.
  const twice = await db.query(
    `SELECT split_id FROM attempts WHERE job_id = $1 AND status = 'SUCCEEDED' GROUP BY split_id HAVING count(*) > 1`,
    [jobId],
  );
  expect(twice.rows).toEqual([]);

  await killGroup(second.child, 'SIGTERM');
  expect(second.child.exitCode).toBe(0);
}

/** SIGKILL to the postmaster of `dataDir`: its backends exit on their own once they notice. */
async function killPostgres(dataDir: string): Promise<void> {
  const pid = Number((await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  process.kill(pid, 'SIGKILL');
  await waitFor('the postmaster to be gone', async () => {
    try {
      process.kill(pid, 0);
      return false;
    } catch {
      return true;
    }
  });
}

/** Starts the server of `dataDir` again, once the killed one's backends have let go of its shared memory. */
async function restartPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      return await startEmbeddedPostgres({ dataDir });
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  throw lastError;
}

describe('gateway restart', () => {
  it('a job survives a crash of the gateway process: one result per input, no DONE split redone', async () => {
    const first = await startGatewayProcess(tdb.url);
    const jobId = await submitAndWait(first.url, pool);
    await killGroup(first.child, 'SIGKILL');
    const before = await doneSplits(pool, jobId);
    expect(before.length).toBeGreaterThanOrEqual(2);
    await finishesOnce(tdb.url, pool, jobId, before);
  });

  it('a job survives a crash of Postgres and the gateway together: one result per input', async () => {
    // As root the server runs as the `postgres` user, which must be able to enter the directory.
    await chmod(dir, 0o755);
    const dataDir = path.join(dir, 'pg');
    let server: EmbeddedPostgres | null = await startEmbeddedPostgres({ dataDir });
    let db = new pg.Pool({ connectionString: server.url, max: 2 });
    db.on('error', () => {});
    try {
      const first = await startGatewayProcess(server.url);
      const jobId = await submitAndWait(first.url, db);
      // Postgres first, while task managers are still claiming and completing: what it had not
      // written out yet is gone, as when its process dies.
      await killPostgres(dataDir);
      server = null;
      await killGroup(first.child, 'SIGKILL');
      await db.end().catch(() => {});

      // Restarted on the same data: crash recovery replays what was written.
      server = await restartPostgres(dataDir);
      db = new pg.Pool({ connectionString: server.url, max: 2 });
      await finishesOnce(server.url, db, jobId, await doneSplits(db, jobId));
    } finally {
      await db.end().catch(() => {});
      await server?.stop();
    }
  });
});
