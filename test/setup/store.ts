/**
 * A PgSplitStore on a fresh test database, for test files of any package:
 *
 *   let t: TestStore;
 *   beforeAll(async () => { t = await openTestStore(); });
 *   afterAll(async () => { await t?.close(); });
 *   const jobId = await t.startedJob({ inputs: 20, splitSize: 10 });  // RUNNING, inputs key-0 … key-19
 *   await t.store.complete(attemptId, labelled(claim.items));
 *
 * Uses the built orchestrator-core (dist/), like the code under test.
 */
import { openDatabase, type Database } from '../../packages/orchestrator-core/dist/db/open.js';
import type { ItemOutcome, WorkItem } from '../../packages/orchestrator-core/dist/ports.js';
import { PgSplitStore, type PgSplitStoreOptions } from '../../packages/orchestrator-core/dist/store/split-store.js';
import type { JobSpec } from '../../packages/orchestrator-core/dist/store/types.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export interface TestStore {
  readonly db: Database;
  readonly store: PgSplitStore;
  readonly database: TestDatabase;
  /** A job created through the store and marked RUNNING (dynamic splits, local backend, 2 task managers, 2 retries unless given). */
  startedJob(spec: StartedJobSpec): Promise<string>;
  /** Close the connections, then drop the database. */
  close(): Promise<void>;
}

export interface StartedJobSpec extends Partial<Omit<JobSpec, 'inputs' | 'splitSize'>> {
  /** The inputs, or how many (`key-0`, `key-1`, …). */
  inputs: number | string[];
  splitSize: number;
}

/** A report that covers its split: every item labelled, no errors. */
export function labelled(items: WorkItem[], label = 'on-sample', probabilities = [0.2, 0.8]): ItemOutcome[] {
  return items.map((item) => ({ ...item, label, probabilities, errorCode: null, errorMessage: null }));
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
    startedJob: async ({ inputs, ...spec }) => {
      const jobId = await store.createJob({
        name: 'test job', backend: 'local', splitMode: 'dynamic', numTaskManagers: 2, maxSplitRetries: 2, settings: {},
        ...spec,
        inputs: typeof inputs === 'number' ? Array.from({ length: inputs }, (_, i) => `key-${i}`) : inputs,
      });
      if (!(await store.markJobRunning(jobId))) throw new Error(`job ${jobId} did not start`);
      return jobId;
    },
    close: async () => {
      await db.close();
      await database.drop();
    },
  };
}
