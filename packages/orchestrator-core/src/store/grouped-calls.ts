/**
 * The worker protocol's hot calls, group-committed (batcher.ts): claims of one job that arrive
 * together share one claim_many.sql round trip, and completes that arrive together are checked with
 * one read (complete_lookup_many.sql) and written with one statement (complete_many.sql). Under
 * load one round trip serves many task managers; each call still gets exactly the answer it would
 * get alone. The read is skipped for attempts this store handed out itself (claimed-attempts.ts):
 * their holder and inputs are known from the claim. PgSplitStore validates ids and leases and
 * delegates here.
 */
import type pg from 'pg';
import { isRetryableSqlError } from '../db/transaction.js';
import { JobStatus, type AttemptOwner, type ClaimResult, type CompleteResult, type ItemOutcome, type SplitTimings } from '../ports.js';
import { Batcher, type BatchEntry } from './batcher.js';
import { ClaimedAttempts, type AttemptFacts } from './claimed-attempts.js';
import { outcomeRows, type OutcomeRow } from './outcomes.js';
import type { StatementName } from './sql.js';

export type Row = Record<string, unknown>;
/** Runs one of the store's statements on the pool. */
export type RunStatement = (name: StatementName, values: unknown[]) => Promise<pg.QueryResult<Row>>;

export interface CompleteCall {
  /** Lower case (Postgres prints uuids so). */
  attemptId: string;
  outcomes: ItemOutcome[];
  timings: SplitTimings | undefined;
  owner: AttemptOwner | undefined;
}

export interface GroupedCallsOptions {
  /** Batches written at once, per kind. */
  batchConcurrency: number;
  /** Calls that must wait before a batch starts beside a running one (batcher.ts). */
  overlapAt: number;
  maxBatch: number;
  /** claim() → 'wait' carries this retryAfterMs. */
  waitRetryMs: number;
  /** Inputs of claimed attempts kept for their completes (claimed-attempts.ts). */
  claimedInputs: number;
  /** The synchronous_commit of the statements' transactions ('off'), or null for the server's. */
  synchronousCommit: 'off' | null;
}

export class GroupedWorkerCalls {
  /** Per job and lease length: claims are grouped only with claims they can share a statement with. */
  private readonly claimBatchers = new Map<string, Batcher<string, ClaimResult>>();
  private readonly completeBatcher: Batcher<CompleteCall, CompleteResult>;
  private readonly claimed: ClaimedAttempts;

  constructor(private readonly run: RunStatement, private readonly options: GroupedCallsOptions) {
    this.claimed = new ClaimedAttempts(options.claimedInputs);
    this.completeBatcher = new Batcher({
      maxConcurrent: options.batchConcurrency,
      overlapAt: options.overlapAt,
      maxBatch: options.maxBatch,
      run: (batch) => this.completeBatch(batch),
    });
  }

  /**
   * A claimer claim_many.sql could not serve (no PENDING split left for it) goes through
   * claim.sql, which also hands out speculative copies and answers wait / done.
   */
  async claim(jobId: string, taskManagerId: string, lease: number): Promise<ClaimResult> {
    const key = `${jobId}/${lease}`;
    let batcher = this.claimBatchers.get(key);
    if (batcher === undefined) {
      batcher = new Batcher<string, ClaimResult>({
        maxConcurrent: this.options.batchConcurrency,
        overlapAt: this.options.overlapAt,
        maxBatch: this.options.maxBatch,
        run: (batch) => this.claimBatch(jobId, lease, batch),
      });
      this.claimBatchers.set(key, batcher);
    }
    try {
      return await batcher.submit(taskManagerId);
    } finally {
      if (batcher.queued === 0 && !batcher.busy) this.claimBatchers.delete(key);
    }
  }

  complete(call: CompleteCall): Promise<CompleteResult> {
    return this.completeBatcher.submit(call);
  }

  /** An attempt handed out here will not be completed (it was given back): drop its facts. */
  forget(attemptId: string): void {
    this.claimed.forget(attemptId);
  }

  private async claimBatch(jobId: string, lease: number, batch: BatchEntry<string, ClaimResult>[]): Promise<void> {
    const rows = (await this.run('claim_many', [jobId, batch.map((e) => e.input), lease, this.options.synchronousCommit])).rows;
    for (const row of rows) {
      const entry = batch[(row.claimer as number) - 1];
      if (entry) entry.resolve(this.handOut(row, jobId, entry.input, false));
    }
    await Promise.all(batch.filter((e) => !e.settled).map(async (entry) => {
      try {
        entry.resolve(await this.claimOne(jobId, entry.input, lease));
      } catch (error) {
        entry.reject(error);
      }
    }));
  }

  private async claimOne(jobId: string, taskManagerId: string, lease: number): Promise<ClaimResult> {
    const row = (await this.run('claim', [jobId, taskManagerId, lease, this.options.synchronousCommit])).rows[0] ?? {};
    if (row.attempt_id != null) return this.handOut(row, jobId, taskManagerId, row.speculative as boolean);
    const status = row.job_status as JobStatus | null;
    if (status === JobStatus.QUEUED || (status === JobStatus.RUNNING && row.unfinished === true)) {
      return { kind: 'wait', retryAfterMs: this.options.waitRetryMs };
    }
    return { kind: 'done' };
  }

  /** A claimed split's answer; its attempt's facts are kept for the complete. */
  private handOut(row: Row, jobId: string, taskManagerId: string, speculative: boolean): ClaimResult {
    const claim = splitClaim(row, speculative);
    this.claimed.remember(claim.attemptId, {
      jobId, taskManagerId, firstIndex: row.first_index as number, inputs: row.inputs as string[],
    });
    return claim;
  }

  private async completeBatch(batch: BatchEntry<CompleteCall, CompleteResult>[]): Promise<void> {
    const known = batch.map((e) => this.claimed.get(e.input.attemptId));
    const unknown = batch.filter((_, i) => known[i] === undefined).map((e) => e.input.attemptId);
    const before = unknown.length === 0 ? new Map<string, Row>() : await this.lookUpAttempts(unknown);
    const candidates: BatchEntry<CompleteCall, CompleteResult>[] = [];
    const results: OutcomeRow[] = [];
    for (const [i, entry] of batch.entries()) {
      const { attemptId, outcomes, owner } = entry.input;
      const row = before.get(attemptId);
      const facts = known[i] ?? (row && factsFromRow(row));
      if (!facts || (owner && (facts.jobId !== owner.jobId || facts.taskManagerId !== owner.taskManagerId))) {
        entry.resolve({ kind: 'discarded', reason: 'UNKNOWN_ATTEMPT' });
        continue;
      }
      // Known from the claim: a repeated report is found out below (it cannot win again).
      if (row?.winner_attempt_id === attemptId) {
        entry.resolve({ kind: 'duplicate' });
        continue;
      }
      try {
        // Its position among the candidates: the statement's report arrays are in that order.
        results.push(...outcomeRows(facts, outcomes, candidates.length + 1));
        candidates.push(entry);
      } catch (error) {
        entry.reject(error);
      }
    }
    if (candidates.length === 0) return;
    const won = new Map<string, number>();
    const values = [
      candidates.map((c) => c.input.attemptId),
      candidates.map((c) => c.input.outcomes.length),
      candidates.map((c) => (c.input.timings ? JSON.stringify(c.input.timings) : null)),
      JSON.stringify(results),
      this.options.synchronousCommit,
    ];
    // Without the conflict clause first; a result already there rolls that statement back, and
    // the batch runs again with it, keeping what is there (sql.ts, DERIVED).
    let rows: Row[];
    try {
      rows = (await this.runRetrying('complete_many_unguarded', values)).rows;
    } catch (error) {
      if (!isResultConflict((error as { cause?: unknown }).cause)) throw error;
      rows = (await this.runRetrying('complete_many', values)).rows;
    }
    for (const row of rows) won.set(row.attempt_id as string, row.stored as number);
    const lost: BatchEntry<CompleteCall, CompleteResult>[] = [];
    for (const entry of candidates) {
      const stored = won.get(entry.input.attemptId);
      // An attempt reported twice in one batch wins once; its other call answers below (duplicate).
      if (stored !== undefined) {
        won.delete(entry.input.attemptId);
        entry.resolve({ kind: 'accepted', stored });
      } else lost.push(entry);
    }
    // Answered for good: a later report of these attempts cannot win, and is looked up.
    for (const entry of candidates) this.claimed.forget(entry.input.attemptId);
    if (lost.length === 0) return;
    // Lost the race (or was never eligible): say why from the state now.
    const after = await this.lookUpAttempts(lost.map((e) => e.input.attemptId));
    for (const entry of lost) {
      const row = after.get(entry.input.attemptId);
      if (!row) entry.resolve({ kind: 'discarded', reason: 'UNKNOWN_ATTEMPT' });
      else if (row.winner_attempt_id === entry.input.attemptId) entry.resolve({ kind: 'duplicate' });
      else if (row.job_status !== JobStatus.RUNNING) entry.resolve({ kind: 'discarded', reason: 'JOB_CANCELLED' });
      else entry.resolve({ kind: 'discarded', reason: row.split_status === 'FAILED' ? 'SPLIT_FAILED' : 'SPLIT_DONE' });
    }
  }

  private async lookUpAttempts(attemptIds: string[]): Promise<Map<string, Row>> {
    const rows = (await this.run('complete_lookup_many', [[...new Set(attemptIds)]])).rows;
    return new Map(rows.map((row) => [row.attempt_id as string, row]));
  }

  /** One autocommitted statement, run again (up to twice more) when Postgres aborts it for a deadlock. */
  private async runRetrying(name: StatementName, values: unknown[]): Promise<pg.QueryResult<Row>> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.run(name, values);
      } catch (error) {
        if (attempt < 3 && isRetryableSqlError((error as { cause?: unknown }).cause)) continue;
        throw error;
      }
    }
  }
}

/** A unique violation of a result's primary key (job, input index). */
function isResultConflict(error: unknown): boolean {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  return typeof e === 'object' && e !== null && e.code === '23505' && e.constraint === 'results_pkey';
}

function factsFromRow(row: Row): AttemptFacts {
  return {
    jobId: row.job_id as string,
    taskManagerId: row.task_manager_id as string,
    firstIndex: row.first_index as number,
    inputs: row.inputs as string[],
  };
}

function splitClaim(row: Row, speculative: boolean): Extract<ClaimResult, { kind: 'split' }> {
  const first = row.first_index as number;
  return {
    kind: 'split',
    attemptId: row.attempt_id as string,
    splitId: row.split_id as string,
    ordinal: row.ordinal as number,
    speculative,
    leaseExpiresAt: row.lease_expires_at as Date,
    items: (row.inputs as string[]).map((input, i) => ({ index: first + i, input })),
  };
}
