/**
 * vitest globalSetup: one PostgreSQL server for the whole test run.
 *   - DATABASE_URL set (CI, this machine's server): that server is used; nothing is started.
 *   - unset: an embedded PostgreSQL is started in a fresh temp directory and stopped (and the
 *     directory deleted) at teardown.
 * Test files get their own database on it through `createTestDatabase()` (./database.ts).
 * Databases left behind by crashed runs (`test_os_<epoch seconds>_<random>`) older than a few
 * hours are dropped here.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../packages/orchestrator-core/src/db/embedded.js';
import { readDatabaseEnv } from '../../packages/orchestrator-core/src/db/env.js';
import { STALE_TEST_DATABASE_MS, TEST_DATABASE_PREFIX } from './names.js';

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const { databaseUrl } = readDatabaseEnv();
  if (databaseUrl !== undefined) {
    await dropStaleTestDatabases(databaseUrl);
    project.provide('postgresServerUrl', databaseUrl);
    return undefined;
  }
  const base = await mkdtemp(path.join(tmpdir(), 'offsample-test-pg-'));
  // As root the server runs as the `postgres` user, which must be able to enter this directory.
  await chmod(base, 0o755);
  const server = await startEmbeddedPostgres({ dataDir: path.join(base, 'data'), ephemeral: true });
  project.provide('postgresServerUrl', server.url);
  return async () => {
    await server.stop();
    await rm(base, { recursive: true, force: true });
  };
}

async function dropStaleTestDatabases(serverUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1`,
      [`${TEST_DATABASE_PREFIX}%`],
    );
    const cutoffSeconds = (Date.now() - STALE_TEST_DATABASE_MS) / 1000;
    for (const { datname } of rows) {
      const createdSeconds = Number(datname.slice(TEST_DATABASE_PREFIX.length).split('_')[0]);
      if (Number.isFinite(createdSeconds) && createdSeconds < cutoffSeconds) {
        await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(datname)} WITH (FORCE)`).catch(() => {});
      }
    }
  } finally {
    await client.end();
  }
}
