/**
 * A fresh, migrated database per test file, on the server the globalSetup provides
 * (./postgres-global.ts):
 *
 *   let tdb: TestDatabase;
 *   beforeAll(async () => { tdb = await createTestDatabase(); });
 *   afterAll(async () => { await tdb?.drop(); });
 *   // then e.g. openDatabase({ url: tdb.url })
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { migrate } from '../../packages/orchestrator-core/src/db/migrate.js';
import { TEST_DATABASE_PREFIX } from './names.js';

export interface TestDatabase {
  /** URL of the new database (with credentials). */
  readonly url: string;
  readonly name: string;
  /** Drop the database, closing any connection still open to it. */
  drop(): Promise<void>;
}

export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const serverUrl = inject('postgresServerUrl');
  if (!serverUrl) throw new Error('no test PostgreSQL server: is test/setup/postgres-global.ts registered as a vitest globalSetup?');
  const name = `${TEST_DATABASE_PREFIX}${Math.floor(Date.now() / 1000)}_${randomBytes(5).toString('hex')}`;
  await onServer(serverUrl, (client) => client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const drop = async (): Promise<void> => {
    await onServer(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`));
  };
  if (options.migrate ?? true) {
    try {
      await migrate(url.toString());
    } catch (error) {
      await drop().catch(() => {});
      throw error;
    }
  }
  return { url: url.toString(), name, drop };
}

async function onServer<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
