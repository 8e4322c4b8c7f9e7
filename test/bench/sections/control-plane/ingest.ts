/**
 * Result ingest into Postgres, in rows/s, with big splits and a few concurrent completers:
 * (a) through the store's complete path (store.claim, then store.complete with every outcome:
 *     grouped lookup, then complete_many.sql: win, attempts, bulk insert + job counters), no HTTP;
 * (b) for reference, a bare bulk insert (./insert-results.sql, one autocommitted statement per
 *     split; no claim, no other statement);
 * (the same through the worker endpoint over HTTP is a claim phase with big splits, claims.ts).
 * Each runs until its job's splits are used up or the time limit, whichever comes first.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Database, PgSplitStore } from '@offsample/orchestrator-core';
import { round } from '../../stats.js';
import { CONTROL_PLANE_DEFAULTS } from './defaults.js';
import { createRunningJob, type BenchJob } from './jobs.js';
import { summarise, type LatencySummary } from './latency.js';
import { syntheticOutcome } from './outcomes.js';
import type { ControlPlaneSettings } from './settings.js';

export interface IngestFigure {
  path: 'store.complete' | 'insert statement';
  completers: number;
  itemsPerSplit: number;
  splitsDone: number;
  rows: number;
  wallMs: number;
  rowsPerSecond: number;
  /** One split's complete() / insert statement. */
  perSplit: LatencySummary;
  /** store path: the claim before each complete. */
  claim: LatencySummary | null;
  job: { splits: number; createMs: number };
}

const INSERT_SQL = readFileSync(new URL('./insert-results.sql', import.meta.url), 'utf8').trim().replace(/;$/, '');

export async function runStoreIngest(store: PgSplitStore, db: Database, s: ControlPlaneSettings, log: (line: string) => void): Promise<IngestFigure> {
  const job = await makeJob(store, db, s, 'store', log);
  const d = CONTROL_PLANE_DEFAULTS;
  const perSplit: number[] = [];
  const claims: number[] = [];
  let rows = 0;
  const started = performance.now();
  const deadline = started + s.ingestMaxMs;
  const completer = async (n: number) => {
    const tm = `bench-ingest-${n}`;
    while (performance.now() < deadline) {
      let t = performance.now();
      const claim = await store.claim(job.jobId, tm, d.leaseMs);
      if (claim.kind !== 'split') return;
      claims.push(performance.now() - t);
      const outcomes = claim.items.map((item) => syntheticOutcome(item, d));
      t = performance.now();
      const done = await store.complete(claim.attemptId, outcomes, { wallMs: 1 });
      perSplit.push(performance.now() - t);
      if (done.kind !== 'accepted') throw new Error(`ingest: complete answered ${JSON.stringify(done)}`);
      rows += done.stored;
    }
  };
  await Promise.all(Array.from({ length: s.ingestCompleters }, (_, n) => completer(n)));
  return result('store.complete', s, job, rows, performance.now() - started, perSplit, claims);
}

export async function runRawInsert(store: PgSplitStore, db: Database, s: ControlPlaneSettings, log: (line: string) => void): Promise<IngestFigure> {
  const job = await makeJob(store, db, s, 'raw', log);
  const splits = (await db.pool.query<{ id: string; first_index: number; inputs: string[] }>(
    'SELECT id, first_index, inputs FROM splits WHERE job_id = $1 ORDER BY ordinal', [job.jobId],
  )).rows;
  const perSplit: number[] = [];
  let rows = 0;
  let next = 0;
  const started = performance.now();
  const deadline = started + s.ingestMaxMs;
  const inserter = async () => {
    while (performance.now() < deadline && next < splits.length) {
      const split = splits[next++]!;
      const values = columns(job.jobId, split.id, split.first_index, split.inputs);
      const t = performance.now();
      const answer = await db.pool.query<{ stored: number }>({ name: 'bench_insert_results', text: INSERT_SQL, values });
      perSplit.push(performance.now() - t);
      rows += answer.rows[0]?.stored ?? 0;
    }
  };
  await Promise.all(Array.from({ length: s.ingestCompleters }, () => inserter()));
  return result('insert statement', s, job, rows, performance.now() - started, perSplit, null);
}

async function makeJob(store: PgSplitStore, db: Database, s: ControlPlaneSettings, what: string, log: (line: string) => void): Promise<BenchJob> {
  log(`ingest (${what}): creating a job of ${s.ingestSplits} splits × ${s.ingestItemsPerSplit} items`);
  const job = await createRunningJob(store, `bench-ingest-${what}`, s.ingestSplits, s.ingestItemsPerSplit, s.ingestCompleters);
  await db.pool.query('ANALYZE jobs, splits, attempts, results');
  return job;
}

/** The statement's parameters, as the store builds them (parallel arrays; probabilities as array literals). */
function columns(jobId: string, splitId: string, firstIndex: number, inputs: string[]): unknown[] {
  const c = { indices: [] as number[], inputs: [] as string[], labels: [] as (string | null)[], probabilities: [] as (string | null)[],
    codes: [] as (string | null)[], messages: [] as (string | null)[], fetch: [] as (number | null)[], pre: [] as (number | null)[], infer: [] as (number | null)[] };
  inputs.forEach((input, i) => {
    const o = syntheticOutcome({ index: firstIndex + i, input }, CONTROL_PLANE_DEFAULTS);
    c.indices.push(o.index);
    c.inputs.push(o.input);
    c.labels.push(o.label);
    c.probabilities.push(o.probabilities === null ? null : `{${o.probabilities.join(',')}}`);
    c.codes.push(o.errorCode);
    c.messages.push(o.errorMessage);
    c.fetch.push(o.fetchMs);
    c.pre.push(o.preprocessMs);
    c.infer.push(o.inferMs);
  });
  return [jobId, splitId, null, c.indices, c.inputs, c.labels, c.probabilities, c.codes, c.messages, c.fetch, c.pre, c.infer];
}

function result(path: IngestFigure['path'], s: ControlPlaneSettings, job: BenchJob, rows: number, wallMs: number, perSplit: number[], claims: number[] | null): IngestFigure {
  return {
    path,
    completers: s.ingestCompleters,
    itemsPerSplit: s.ingestItemsPerSplit,
    splitsDone: perSplit.length,
    rows,
    wallMs: Math.round(wallMs),
    rowsPerSecond: round((rows * 1000) / wallMs, 0),
    perSplit: summarise(perSplit),
    claim: claims === null ? null : summarise(claims),
    job: { splits: job.splits, createMs: Math.round(job.createMs) },
  };
}
