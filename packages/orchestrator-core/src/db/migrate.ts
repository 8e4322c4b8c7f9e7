/**
 * Our migration runner. `prisma migrate deploy` cannot run on this machine (its JS engine fails on
 * the catalog type `name`, STACK.md), so the committed SQL files that `prisma migrate diff` wrote
 * are applied here:
 *   - migrations are the folders of `prisma/migrations/`, applied in name order, each folder's
 *     `migration.sql` once, in its own transaction, recorded in `_offsample_migrations` with a
 *     sha256 of its text;
 *   - a session advisory lock serialises concurrent starters (two gateways, parallel test files);
 *   - a migration that was applied and later edited is refused (its checksum changed): write a new
 *     migration instead.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { DATABASE_DEFAULTS } from './defaults.js';
import { DatabaseError, DatabaseErrorCode } from './errors.js';

/** `<repo>/prisma/migrations`: this file is `<repo>/packages/orchestrator-core/{src,dist}/db/migrate.*`. */
export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('../../../../prisma/migrations/', import.meta.url));

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrateOptions {
  migrationsDir?: string;
  log?: (message: string) => void;
}

export interface MigrateReport {
  applied: string[];
  alreadyApplied: string[];
}

export async function readMigrations(migrationsDir: string = DEFAULT_MIGRATIONS_DIR): Promise<Migration[]> {
  let entries;
  try {
    entries = await readdir(migrationsDir, { withFileTypes: true });
  } catch (error) {
    throw new DatabaseError(DatabaseErrorCode.MIGRATION_FAILED, `cannot read the migrations directory ${migrationsDir}`, { cause: error });
  }
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(migrationsDir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

/** Apply every committed migration not applied yet. `target` is a pool or a connection URL. */
export async function migrate(target: pg.Pool | string, options: MigrateOptions = {}): Promise<MigrateReport> {
  const log = options.log ?? (() => {});
  const migrations = await readMigrations(options.migrationsDir);
  const ownClient = typeof target === 'string';
  const client = ownClient ? new pg.Client({ connectionString: target }) : await target.connect();
  if (ownClient) await (client as pg.Client).connect();
  const table = DATABASE_DEFAULTS.migrationsTable;
  const report: MigrateReport = { applied: [], alreadyApplied: [] };
  let locked = false;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [DATABASE_DEFAULTS.migrationLockKey]);
    locked = true;
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${table} (name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const done = new Map(
      (await client.query<{ name: string; checksum: string }>(`SELECT name, checksum FROM ${table}`)).rows.map((r) => [r.name, r.checksum]),
    );
    for (const migration of migrations) {
      const appliedChecksum = done.get(migration.name);
      if (appliedChecksum !== undefined) {
        if (appliedChecksum !== migration.checksum) {
          throw new DatabaseError(
            DatabaseErrorCode.MIGRATION_FAILED,
            `migration ${migration.name} was applied to this database and has been edited since (checksum changed); add a new migration instead`,
          );
        }
        report.alreadyApplied.push(migration.name);
        continue;
      }
      try {
        await client.query('BEGIN');
        // No parameters: the simple query protocol runs the whole multi-statement file.
        await client.query(migration.sql);
        await client.query(`INSERT INTO ${table} (name, checksum) VALUES ($1, $2)`, [migration.name, migration.checksum]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw new DatabaseError(
          DatabaseErrorCode.MIGRATION_FAILED,
          `migration ${migration.name} failed: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      }
      log(`applied migration ${migration.name}`);
      report.applied.push(migration.name);
    }
    return report;
  } finally {
    if (locked) await client.query('SELECT pg_advisory_unlock($1)', [DATABASE_DEFAULTS.migrationLockKey]).catch(() => {});
    if (ownClient) await (client as pg.Client).end().catch(() => {});
    else (client as pg.PoolClient).release();
  }
}
