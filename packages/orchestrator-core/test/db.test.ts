import { execFile } from 'node:child_process';
import { chmod, mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/setup/database.js';
import { DatabaseError } from '../dist/db/errors.js';
import { readDatabaseEnv } from '../dist/db/env.js';
import { migrate, DEFAULT_MIGRATIONS_DIR } from '../dist/db/migrate.js';
import { openDatabase } from '../dist/db/open.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const created: TestDatabase[] = [];
async function freshDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const tdb = await createTestDatabase(options);
  created.push(tdb);
  return tdb;
}
afterAll(async () => {
  await Promise.all(created.map((tdb) => tdb.drop()));
});

/** Everything that defines the schema, as comparable text: columns, indexes, constraints, enums. */
async function catalog(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const queries = [
      `SELECT 'col ' || table_name || '.' || column_name || ' ' || data_type || ' ' || udt_name || ' null=' || is_nullable || ' default=' || coalesce(column_default, '')
         FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_offsample_migrations'`,
      `SELECT 'idx ' || indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_offsample_migrations'`,
      `SELECT 'con ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid)
         FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND conrelid::regclass::text <> '_offsample_migrations'`,
      `SELECT 'enum ' || t.typname || ' ' || string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder)
         FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname`,
    ];
    const lines: string[] = [];
    for (const sql of queries) lines.push(...(await client.query<{ '?column?': string }>(sql)).rows.map((r) => r['?column?']));
    return lines.sort();
  } finally {
    await client.end();
  }
}

describe('migrations', () => {
  it('the committed migrations build exactly the schema prisma/schema.prisma describes', async () => {
    const fromSchema = await freshDatabase({ migrate: false });
    // The SQL Prisma derives from the schema now. Its JS engine opens a connection through the
    // adapter in prisma.config.ts even for --from-empty, so give it a live server.
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [path.join(repoRoot, 'node_modules/prisma/build/index.js'), 'migrate', 'diff', '--from-empty', '--to-schema-datamodel', 'prisma/schema.prisma', '--script'],
      { cwd: repoRoot, env: { ...process.env, DATABASE_URL: fromSchema.url, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' } },
    );
    expect(stdout).toContain('CREATE TABLE "results"');
    const client = new pg.Client({ connectionString: fromSchema.url });
    await client.connect();
    await client.query(stdout);
    await client.end();
    // ... must give the same catalog as the committed migrations applied by our runner.
    const fromMigrations = await freshDatabase();
    // Partial indexes, which the schema language cannot express: the schema names the index, the
    // migrations add its WHERE clause (listed here, so any other difference still fails).
    const PARTIAL_INDEXES: Record<string, string> = {
      results_job_id_error_code_input_index_idx: 'WHERE (error_code IS NOT NULL)',
      attempts_status_lease_expires_at_idx: "WHERE (status = 'RUNNING'::attempt_status)",
    };
    // Relations the schema keeps for Prisma's joins but the database does not enforce (a trigger
    // per inserted row on the hot paths; migration 20261125000000_hot_path_constraints).
    const DROPPED_FOREIGN_KEYS = new Set(['results_job_id_fkey', 'attempts_split_id_fkey', 'attempts_job_id_fkey']);
    const expected = (await catalog(fromSchema.url))
      .filter((line) => !DROPPED_FOREIGN_KEYS.has(/^con \S+ (\S+) FOREIGN KEY/.exec(line)?.[1] ?? ''))
      .map((line) => {
        const name = /^idx CREATE (?:UNIQUE )?INDEX (\S+) /.exec(line)?.[1];
        return name !== undefined && PARTIAL_INDEXES[name] !== undefined ? `${line} ${PARTIAL_INDEXES[name]}` : line;
      });
    expect(expected.length).toBeGreaterThan(50);
    expect(await catalog(fromMigrations.url)).toEqual(expected);
  });

  it('applies each migration once, also when several starters race', async () => {
    const tdb = await freshDatabase({ migrate: false });
    const reports = await Promise.all([migrate(tdb.url), migrate(tdb.url), migrate(tdb.url)]);
    const appliedCount = reports.reduce((n, r) => n + r.applied.length, 0);
    const migrationDirs = (await import('node:fs')).readdirSync(DEFAULT_MIGRATIONS_DIR, { withFileTypes: true }).filter((e) => e.isDirectory());
    expect(appliedCount).toBe(migrationDirs.length);
    const again = await migrate(tdb.url);
    expect(again.applied).toEqual([]);
    expect(again.alreadyApplied.length).toBe(migrationDirs.length);
  });

  it('refuses a migration edited after it was applied, and rolls back a failing one', async () => {
    const tdb = await freshDatabase({ migrate: false });
    const dir = await mkdtemp(path.join(tmpdir(), 'offsample-migrations-'));
    try {
      await mkdir(path.join(dir, '0001_a'));
      await writeFile(path.join(dir, '0001_a', 'migration.sql'), 'CREATE TABLE a (id int);');
      expect((await migrate(tdb.url, { migrationsDir: dir })).applied).toEqual(['0001_a']);
      await writeFile(path.join(dir, '0001_a', 'migration.sql'), 'CREATE TABLE a (id bigint);');
      await expect(migrate(tdb.url, { migrationsDir: dir })).rejects.toMatchObject({ code: 'MIGRATION_FAILED', message: /0001_a .*edited/ });

      await writeFile(path.join(dir, '0001_a', 'migration.sql'), 'CREATE TABLE a (id int);');
      await mkdir(path.join(dir, '0002_b'));
      await writeFile(path.join(dir, '0002_b', 'migration.sql'), 'CREATE TABLE b (id int); SELECT 1/0;');
      await expect(migrate(tdb.url, { migrationsDir: dir })).rejects.toMatchObject({ code: 'MIGRATION_FAILED', message: /0002_b failed: division by zero/ });
      const client = new pg.Client({ connectionString: tdb.url });
      await client.connect();
      const tables = (await client.query(`SELECT to_regclass('b') AS b`)).rows[0];
      const recorded = (await client.query('SELECT name FROM _offsample_migrations ORDER BY name')).rows.map((r) => r.name);
      await client.end();
      expect(tables.b).toBeNull();
      expect(recorded).toEqual(['0001_a']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('environment', () => {
  it('validates DATABASE_URL and names the variable and the (redacted) value', () => {
    expect(readDatabaseEnv({ DATABASE_URL: '  ' })).toEqual({ databaseUrl: undefined, pgDataDir: undefined, workerCommit: undefined });
    expect(readDatabaseEnv({ DATABASE_URL: 'postgresql://u@h:5432/d', OFFSAMPLE_PG_DATA_DIR: '/x', OFFSAMPLE_WORKER_COMMIT: 'sync' })).toEqual({
      databaseUrl: 'postgresql://u@h:5432/d',
      pgDataDir: '/x',
      workerCommit: 'sync',
    });
    expect(() => readDatabaseEnv({ DATABASE_URL: 'mysql://root:hunter2@h/d' })).toThrow(DatabaseError);
    expect(() => readDatabaseEnv({ DATABASE_URL: 'mysql://root:hunter2@h/d' })).toThrow(/DATABASE_URL must be a postgres.*mysql:\/\/root:\*\*\*@h\/d/);
    expect(() => readDatabaseEnv({ OFFSAMPLE_WORKER_COMMIT: 'later' })).toThrow(/OFFSAMPLE_WORKER_COMMIT must be one of async, sync \(got "later"\)/);
  });
});

describe('openDatabase', () => {
  let tdb: TestDatabase;
  beforeAll(async () => {
    tdb = await freshDatabase({ migrate: false });
  });

  it('opens a URL, migrates it, and serves Prisma and raw SQL from one pool', async () => {
    const db = await openDatabase({ url: tdb.url, env: {} });
    try {
      expect(db.embedded).toBeNull();
      expect(await db.prisma.job.count()).toBe(0);
      const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM _offsample_migrations');
      expect(rows[0].n).toBeGreaterThan(0);
    } finally {
      await db.close();
    }
    await db.close(); // idempotent
  });

  it('reports an unreachable server as a retryable error', async () => {
    await expect(openDatabase({ url: 'postgresql://postgres@127.0.0.1:1/none', env: {} })).rejects.toMatchObject({
      code: 'UNREACHABLE',
      retryable: true,
    });
  });

  it('without a URL starts an embedded server, reuses its data directory, and attaches to a running one', async () => {
    const base = await mkdtemp(path.join(tmpdir(), 'offsample-embedded-'));
    await chmod(base, 0o755);
    const dataDir = path.join(base, 'pg');
    const logs: string[] = [];
    try {
      const first = await openDatabase({ dataDir, env: {}, log: (m) => logs.push(m) });
      expect(first.embedded?.owned).toBe(true);
      expect(new URL(first.url).pathname).toBe('/offsample');
      await first.prisma.job.count();
      // A second opener while the first runs attaches to the same server.
      const second = await openDatabase({ dataDir, env: {} });
      expect(second.embedded?.owned).toBe(false);
      expect(second.embedded?.port).toBe(first.embedded?.port);
      await second.close();
      await first.prisma.job.count(); // still up: the attacher did not stop it
      await first.close();
      expect(JSON.parse(await readFile(`${dataDir}.credentials.json`, 'utf8'))).toHaveProperty('password');

      const initialisations = logs.filter((m) => m.includes('initialising')).length;
      const third = await openDatabase({ dataDir, env: {}, log: (m) => logs.push(m) });
      expect(third.embedded?.owned).toBe(true);
      expect(await third.prisma.job.count()).toBe(0);
      await third.close();
      expect(logs.filter((m) => m.includes('initialising')).length).toBe(initialisations);
      expect(initialisations).toBe(1);
    } finally {
      await rm(base, { recursive: true, force: true });
    }
  });
});
