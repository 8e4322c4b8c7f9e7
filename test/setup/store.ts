/**
 * A PgSplitStore on a fresh test database, for test files of any package:
 *
 *   let t: TestStore;
 *   beforeAll(async () => { t = await openTestStore(); });
 *   afterAll(async () => { await t?.close(); });
 *
 * Uses the built orchestrator-core (dist/), like the code under test.
 */
import { openDatabase, type Database } from '../../packages/orchestrator-core/dist/db/open.js';
import { PgSplitStore, type PgSplitStoreOptions } from '../../packages/orchestrator-core/dist/store/split-store.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export interface TestStore {
  readonly db: Database;
  readonly store: PgSplitStore;
  readonly database: TestDatabase;
  /** Close the connections, then drop the database. */
  close(): Promise<void>;
}

export async function openTestStore(options: PgSplitStoreOptions & { poolMax?: number } = {}): Promise<TestStore> {
  const database = await createTestDatabase();
  let db: Database;
  try {
    db = await openDatabase({ url: database.url, env: {}, ...(options.poolMax === undefined ? {} : { poolMax: options.poolMax }) });
  } catch (error) {
    await database.drop();
    throw error;
  }
  const store = new PgSplitStore(db, options);
  return {
    db,
    store,
    database,
    close: async () => {
      await db.close();
      await database.drop();
    },
  };
}
