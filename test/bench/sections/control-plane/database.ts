/**
 * A fresh, migrated database for the control-plane section, dropped at the end: on the server of
 * DATABASE_URL when set, else on an embedded PostgreSQL with its data in bench-output/postgres
 * (the job section's server; not the project's .data/postgres, which a demo or a gateway may be
 * using and may stop under us), started here unless already running and stopped again if we
 * started it. Also reads the server settings that decide commit cost, so the report can say
 * what the figures were measured with.
 */
import { randomBytes } from 'node:crypto';
import {
  ensureDatabase,
  openDatabase,
  redactUrl,
  startEmbeddedPostgres,
  type Database,
  type EmbeddedPostgres,
} from '@offsample/orchestrator-core';
import pg from 'pg';

export interface ServerFacts {
  /** `DATABASE_URL` or `embedded`. */
  source: string;
  url: string;
  version: string;
  settings: Record<string, string>;
}

export interface BenchDatabase {
  readonly name: string;
  readonly url: string;
  readonly server: ServerFacts;
  /** Opens a pool (migrations are applied by the first open). */
  open(poolMax: number): Promise<Database>;
  /** Drop the database (closing what is still connected) and stop an embedded server we started. */
  drop(): Promise<void>;
}

/** Settings that bound commit and write throughput (read only; the bench never changes them). */
const SERVER_SETTINGS = [
  'fsync', 'synchronous_commit', 'wal_sync_method', 'commit_delay', 'shared_buffers', 'max_connections', 'wal_level', 'full_page_writes',
  // Background work that lands in a window: this machine's PostgreSQL 15 runs with autovacuum off.
  'autovacuum', 'max_wal_size', 'data_checksums',
];

export async function createBenchDatabase(embeddedDataDir: string, log: (line: string) => void): Promise<BenchDatabase> {
  const fromEnv = process.env.DATABASE_URL?.trim() || undefined;
  let embedded: EmbeddedPostgres | null = null;
  let serverUrl: string;
  if (fromEnv !== undefined) serverUrl = fromEnv;
  else {
    embedded = await startEmbeddedPostgres({ dataDir: embeddedDataDir });
    serverUrl = embedded.url;
  }
  const name = `offsample_bench_${Math.floor(Date.now() / 1000)}_${randomBytes(3).toString('hex')}`;
  let url: string;
  try {
    url = await ensureDatabase(serverUrl, name);
  } catch (error) {
    await embedded?.stop().catch(() => undefined);
    throw error;
  }
  const server: ServerFacts = {
    source: fromEnv !== undefined ? 'DATABASE_URL' : `embedded in ${embeddedDataDir} (${embedded?.owned ? 'started for the bench' : 'already running'})`,
    url: redactUrl(serverUrl),
    ...(await readServer(url)),
  };
  log(`database ${name} on ${server.url} (${server.source}), PostgreSQL ${server.version}`);
  let dropped: Promise<void> | null = null;
  return {
    name,
    url,
    server,
    open: (poolMax) => openDatabase({ url, poolMax }),
    drop: () => {
      dropped ??= (async () => {
        const client = new pg.Client({ connectionString: serverUrl });
        try {
          await client.connect();
          await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
        } finally {
          await client.end().catch(() => undefined);
          await embedded?.stop();
        }
      })();
      return dropped;
    },
  };
}

async function readServer(url: string): Promise<{ version: string; settings: Record<string, string> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const version = (await client.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]?.v ?? 'unknown';
    const rows = (await client.query<{ name: string; setting: string; unit: string | null }>(
      'SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1::text[])',
      [SERVER_SETTINGS],
    )).rows;
    const settings = Object.fromEntries(rows.map((r) => [r.name, r.unit && /^\d+$/.test(r.setting) ? `${r.setting} × ${r.unit}` : r.setting]));
    return { version, settings };
  } finally {
    await client.end();
  }
}

/** The tables a claim phase churns. */
const CHURNED_TABLES = ['splits', 'attempts', 'results', 'jobs'];

/**
 * Clear what the previous phase left before the next one's window: VACUUM (ANALYZE) of the churned
 * tables and a CHECKPOINT. Otherwise the autovacuum and the WAL-driven checkpoint that a
 * 5,000-cycles/s saturation phase sets off land in the next window: on embedded PostgreSQL 18 the
 * full section gave a paced p99 of 79.0 / 58.3 ms without this step against 30.4 / 17.4 ms with it
 * (README, "third pass"). Returns what it did, for the log; a server that refuses CHECKPOINT
 * (no pg_checkpoint role) is only vacuumed.
 */
export async function settleDatabase(db: Database): Promise<string> {
  const started = Date.now();
  await db.pool.query(`VACUUM (ANALYZE) ${CHURNED_TABLES.join(', ')}`);
  let checkpoint = 'CHECKPOINT';
  try {
    await db.pool.query('CHECKPOINT');
  } catch (error) {
    checkpoint = `no CHECKPOINT (${error instanceof Error ? error.message : String(error)})`;
  }
  return `VACUUM (ANALYZE) ${CHURNED_TABLES.join(', ')} + ${checkpoint} in ${((Date.now() - started) / 1000).toFixed(1)} s`;
}
