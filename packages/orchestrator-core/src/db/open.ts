/**
 * Opening the database: `options.url`, else DATABASE_URL, else an embedded PostgreSQL server in the
 * project (`<repo>/.data/postgres`, or OFFSAMPLE_PG_DATA_DIR / `options.dataDir`). Migrations are
 * applied before anything else touches it.
 *
 * One pg Pool serves both the raw SQL hot paths and Prisma (through @prisma/adapter-pg), so the
 * connection limit is one number. close() disconnects Prisma, ends the pool and stops an embedded
 * server this call started.
 */
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';
import { DATABASE_DEFAULTS } from './defaults.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded.js';
import { readDatabaseEnv } from './env.js';
import { DatabaseError, DatabaseErrorCode, redactUrl } from './errors.js';
import { migrate } from './migrate.js';

export interface OpenDatabaseOptions {
  /** Connection URL; wins over DATABASE_URL. */
  url?: string;
  /** Embedded server data directory when no URL is given; wins over OFFSAMPLE_PG_DATA_DIR. */
  dataDir?: string;
  log?: (message: string) => void;
  /** Apply the committed migrations (default true). */
  migrate?: boolean;
  migrationsDir?: string;
  poolMax?: number;
  /** Environment to read DATABASE_URL / OFFSAMPLE_PG_DATA_DIR from (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export interface Database {
  /** The URL in use (with credentials: do not log it; see redactUrl). */
  readonly url: string;
  readonly prisma: PrismaClient;
  readonly pool: pg.Pool;
  /** The embedded server this Database started or attached to, when no URL was given. */
  readonly embedded: EmbeddedPostgres | null;
  close(): Promise<void>;
}

/** `<repo>/.data/postgres`: this file is `<repo>/packages/orchestrator-core/{src,dist}/db/open.*`. */
export const DEFAULT_EMBEDDED_DATA_DIR = fileURLToPath(
  new URL(`../../../../${DATABASE_DEFAULTS.embeddedDataDirFromRepoRoot}`, import.meta.url),
);

export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  const log = options.log ?? (() => {});
  const env = readDatabaseEnv(options.env);
  let url = options.url ?? env.databaseUrl;
  let embedded: EmbeddedPostgres | null = null;
  if (url === undefined) {
    embedded = await startEmbeddedPostgres({ dataDir: options.dataDir ?? env.pgDataDir ?? DEFAULT_EMBEDDED_DATA_DIR, log });
    try {
      url = await ensureDatabase(embedded.url, DATABASE_DEFAULTS.embeddedDatabaseName);
    } catch (error) {
      await embedded.stop().catch(() => {});
      throw error;
    }
  }
  const pool = createPool(url, options.poolMax ?? DATABASE_DEFAULTS.poolMax, log);
  try {
    await pool.query('SELECT 1').catch((error: unknown) => {
      throw new DatabaseError(DatabaseErrorCode.UNREACHABLE, `cannot connect to ${redactUrl(url)}: ${errorMessage(error)}`, {
        retryable: true,
        cause: error,
      });
    });
    if (options.migrate ?? true) {
      await migrate(pool, { log, ...(options.migrationsDir === undefined ? {} : { migrationsDir: options.migrationsDir }) });
    }
  } catch (error) {
    await pool.end().catch(() => {});
    await embedded?.stop().catch(() => {});
    throw error;
  }
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  let closed: Promise<void> | null = null;
  const finalUrl = url;
  return {
    url: finalUrl,
    prisma,
    pool,
    embedded,
    close: () => {
      closed ??= (async () => {
        await prisma.$disconnect().catch(() => {});
        await pool.end().catch(() => {});
        await embedded?.stop();
      })();
      return closed;
    },
  };
}

export function createPool(url: string, max: number, log: (message: string) => void = () => {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: DATABASE_DEFAULTS.connectionTimeoutMs,
    idleTimeoutMillis: DATABASE_DEFAULTS.idleTimeoutMs,
    application_name: 'offsample',
  });
  // An idle client losing its connection (server restart) emits on the pool; unhandled it would
  // crash the process. The next query gets a fresh connection.
  pool.on('error', (error) => log(`postgres pool: idle connection error: ${error.message}`));
  return pool;
}

/** Create database `name` on the server at `serverUrl` unless it exists; returns its URL. */
export async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  try {
    await client.connect();
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`).catch((error: unknown) => {
        // 42P04 duplicate_database: another starter created it first.
        if ((error as { code?: string }).code !== '42P04') throw error;
      });
    }
  } catch (error) {
    throw new DatabaseError(DatabaseErrorCode.UNREACHABLE, `cannot prepare database ${name} on ${redactUrl(serverUrl)}: ${errorMessage(error)}`, {
      retryable: true,
      cause: error,
    });
  } finally {
    await client.end().catch(() => {});
  }
  return withDatabase(serverUrl, name);
}

/** The same server URL pointing at database `name`. */
export function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(name)}`;
  return parsed.toString();
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
