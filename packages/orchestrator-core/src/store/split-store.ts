/**
 * PgSplitStore: the one module that changes jobs, splits and attempts (DESIGN.md, "Split
 * lifecycle"). Every transition is raw SQL from `./sql/` (one statement per file), run on the pg
 * pool; so do the reads on every worker request (attemptOwner, getJobWithSettings: Prisma's query
 * engine cost ~0.6 ms of CPU per call, 20× the pg driver); other reads and task-manager rows go
 * through Prisma (./reads.ts, ./task-managers.ts).
 *
 *   Job:     QUEUED → RUNNING (markJobRunning) → SUCCEEDED (finishJobIfComplete: every split DONE
 *            or FAILED; failed splits leave error records, not a failed job)
 *            QUEUED | RUNNING → CANCELLED (cancelJob) | FAILED (failJob: job-level failure)
 *   Split:   PENDING → RUNNING (claim) → DONE (complete: first report wins)
 *            RUNNING → PENDING (its last running attempt LOST / FAILED and retries remain, or given
 *                      back unseen: no retry used)
 *            RUNNING → FAILED (same, retries used up: every input gets a SPLIT_FAILED record)
 *            PENDING | RUNNING → FAILED (job cancelled / failed: CANCELLED / JOB_FAILED records)
 *   Attempt: RUNNING → SUCCEEDED (won) | CANCELLED (another attempt won, the job ended, or its
 *                    claim never reached its task manager: giveBack)
 *                    | LOST (lease expired: expireLeases) | FAILED (its task manager exited)
 *            LOST | FAILED → SUCCEEDED: a late report still wins while its split is open.
 *
 * claim() and complete() are group-committed (grouped-calls.ts, batcher.ts): calls that arrive
 * while a batch is in Postgres go together into the next one (claim_many.sql;
 * complete_lookup_many.sql + complete_many.sql), so under load a round trip serves many task
 * managers and per-call cost is mostly per-row work (bench: control-plane section). A complete of
 * an attempt this store handed out skips the lookup (claimed-attempts.ts).
 *
 * Locks are taken split first, then attempts, then the job row (counters), everywhere, so the
 * transitions cannot deadlock each other. Times are the database's clock (now()).
 *
 * Commits. Claims, completes and heartbeats (workerCommit 'async', the default) commit with
 * synchronous_commit off, set for their own transaction by the statement's first UPDATE: they do
 * not wait for the WAL flush, which under load was half the time those statements spent in
 * Postgres (bench, sixth pass). Only a crash of the Postgres server itself (not of this process)
 * can undo them, and then only the last ~0.6 s (3 × wal_writer_delay), as one consistent suffix:
 * a lost claim makes its task manager's later reports unknown attempts, a lost complete leaves its
 * attempt RUNNING until the lease lapses (a retry is charged, as for any lapsed lease), and either
 * way the split runs again, so every input still
 * ends with exactly one result or error record; the work of those splits is done twice. Every
 * other transition (job created, cancelled, failed, finished; leases expired; task managers
 * released) commits with the server's setting, and a synchronous commit makes every earlier one
 * durable too: a job that is SUCCEEDED on disk has all of its results on disk. 'sync' leaves the
 * server's setting to the worker calls as well.
 * `retries` of a split counts attempts granted beyond its first: requeues and speculative copies,
 * capped by the job's maxSplitRetries.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { PrismaClient } from '../generated/prisma/client.js';
import {
  JobStatus,
  type AttemptOwner,
  type ClaimResult,
  type CompleteResult,
  type HeartbeatResult,
  type ItemOutcome,
  type SplitTimings,
  type TaskManagerReport,
  type WorkerStore,
} from '../ports.js';
import { withTransaction } from '../db/transaction.js';
import { StoreError, StoreErrorCode, toStoreError } from './errors.js';
import { GroupedWorkerCalls, type Row } from './grouped-calls.js';
import { compileStoreOptions, type PgSplitStoreOptions } from './options.js';
import * as reads from './reads.js';
import { isUuid, jobFromRow } from './rows.js';
import { planGeneration, preparedName, statements, type StatementName } from './sql.js';
import * as taskManagers from './task-managers.js';
import { validateJobSpec } from './job-spec.js';
import type {
  AttemptRecord, ExpiredAttempt, JobProgressSnapshot, JobRecord, JobSpec, JobWithSettings, ListResultsOptions,
  ReleaseReport, ReleasedSplit, ResultRecord, SplitSummary, TaskManagerRecord, TerminateReport,
} from './types.js';

export interface StoreDatabase {
  readonly pool: pg.Pool;
  readonly prisma: PrismaClient;
}

export type { PgSplitStoreOptions } from './options.js';

type Queryable = pg.Pool | pg.PoolClient;

export class PgSplitStore implements WorkerStore {
  private readonly sql = statements();
  private readonly waitRetryMs: number;
  private readonly batchInputs: number;
  private readonly grouped: GroupedWorkerCalls;
  /** synchronous_commit of the worker calls' transactions: 'off', or null for the server's. */
  private readonly synchronousCommit: 'off' | null;
  /** Attempts claimed through this store: how far the tables grew since its plans were made (sql.ts). */
  private handedOut = 0;

  constructor(private readonly db: StoreDatabase, options: PgSplitStoreOptions = {}) {
    const compiled = compileStoreOptions(options);
    this.synchronousCommit = compiled.grouped.synchronousCommit;
    this.waitRetryMs = compiled.grouped.waitRetryMs;
    this.batchInputs = compiled.createJobBatchInputs;
    this.grouped = new GroupedWorkerCalls((name, values) => this.run(this.db.pool, name, values), compiled.grouped);
  }

  // ---- jobs ----

  /** Insert a QUEUED job and cut its inputs into splits (input i is in split ⌊i / splitSize⌋). */
  async createJob(spec: JobSpec): Promise<string> {
    const valid = validateJobSpec(spec);
    const numSplits = Math.ceil(valid.inputs.length / valid.splitSize);
    const batch = Math.max(1, Math.round(this.batchInputs / valid.splitSize)) * valid.splitSize;
    return this.transaction('createJob', async (client) => {
      const job = await this.run(client, 'create_job', [
        valid.name, valid.backend, valid.splitMode.toUpperCase(), valid.splitSize, numSplits, valid.numTaskManagers,
        valid.inputs.length, valid.maxSplitRetries, JSON.stringify(valid.settings ?? {}),
        valid.workerSecret ?? randomBytes(32).toString('hex'), valid.outputStorage ?? null, valid.outputLocation ?? null,
      ]);
      const jobId = job.rows[0]?.id as string;
      for (let start = 0; start < valid.inputs.length; start += batch) {
        await this.run(client, 'insert_splits', [jobId, valid.inputs.slice(start, start + batch), valid.splitSize, start / valid.splitSize]);
      }
      return jobId;
    });
  }

  /** QUEUED → RUNNING; false when the job is not QUEUED. */
  async markJobRunning(jobId: string): Promise<boolean> {
    if (!isUuid(jobId)) return false;
    return ((await this.run(this.db.pool, 'mark_job_running', [jobId])).rowCount ?? 0) > 0;
  }

  /** RUNNING → SUCCEEDED once every split is DONE or FAILED; returns the new status, or null when nothing changed. */
  async finishJobIfComplete(jobId: string): Promise<JobStatus | null> {
    if (!isUuid(jobId)) return null;
    const row = (await this.run(this.db.pool, 'finish_job', [jobId])).rows[0];
    return row ? (row.status as JobStatus) : null;
  }

  /** Cancel a QUEUED or RUNNING job: running attempts CANCELLED, each unfinished input a `CANCELLED` error record. */
  cancelJob(jobId: string, reason = 'job cancelled'): Promise<TerminateReport> {
    return this.terminate(jobId, JobStatus.CANCELLED, 'CANCELLED', reason);
  }

  /** A job-level failure (e.g. no task manager could be started): like cancel, with `JOB_FAILED` records. */
  failJob(jobId: string, message: string): Promise<TerminateReport> {
    return this.terminate(jobId, JobStatus.FAILED, 'JOB_FAILED', message);
  }

  // ---- the worker protocol ----

  /**
   * Claims of one job arriving together share one claim_many.sql round trip (grouped-calls.ts);
   * originals go before speculative copies.
   */
  async claim(rawJobId: string, taskManagerId: string, leaseMs: number): Promise<ClaimResult> {
    if (!isUuid(rawJobId)) return { kind: 'done' };
    const result = await this.grouped.claim(rawJobId.toLowerCase(), taskManagerId, leaseMsInt(leaseMs));
    if (result.kind === 'split') this.handedOut++;
    return result;
  }

  async heartbeat(rawAttemptId: string, leaseMs: number): Promise<HeartbeatResult> {
    if (!isUuid(rawAttemptId)) return { kind: 'abandon', reason: 'UNKNOWN_ATTEMPT' };
    const attemptId = rawAttemptId.toLowerCase();
    const row = (await this.run(this.db.pool, 'heartbeat', [attemptId, leaseMsInt(leaseMs), this.synchronousCommit])).rows[0] ?? {};
    if (row.attempt_status == null) return { kind: 'abandon', reason: 'UNKNOWN_ATTEMPT' };
    if (row.lease_expires_at != null) return { kind: 'continue', leaseExpiresAt: row.lease_expires_at as Date };
    if (row.job_status !== JobStatus.RUNNING) return { kind: 'abandon', reason: 'JOB_CANCELLED' };
    if (row.attempt_status === 'LOST' || row.attempt_status === 'FAILED') return { kind: 'abandon', reason: 'LEASE_LOST' };
    return { kind: 'abandon', reason: 'SPLIT_DONE' };
  }

  /**
   * Store an attempt's outcomes if it is the first to complete its split. A retried call by the
   * winner answers 'duplicate'; a report that does not cover the split's inputs exactly once
   * throws INVALID_OUTCOMES. With `owner`, an attempt held by another job or task manager looks
   * unknown (discarded UNKNOWN_ATTEMPT), so the worker endpoint needs no separate ownership read.
   * Calls arriving together are checked with one read and written with one statement
   * (grouped-calls.ts).
   */
  complete(rawAttemptId: string, outcomes: ItemOutcome[], timings?: SplitTimings, owner?: AttemptOwner): Promise<CompleteResult> {
    if (!isUuid(rawAttemptId)) return Promise.resolve({ kind: 'discarded', reason: 'UNKNOWN_ATTEMPT' });
    // Postgres prints uuids in lower case; compare like with like.
    return this.grouped.complete({ attemptId: rawAttemptId.toLowerCase(), outcomes, timings, owner });
  }

  /**
   * RUNNING attempts whose lease ended before `now` (default: the database's now) → LOST; their
   * splits back to PENDING while retries remain, else FAILED with a SPLIT_FAILED error record for
   * every input without a result. Call it from the scheduler tick.
   */
  async expireLeases(now?: Date): Promise<ReleaseReport> {
    return this.transaction('expireLeases', async (client) => {
      const locked = (await this.run(client, 'lock_lapsed_splits', [now ?? null])).rows.map((r) => r.id as string);
      if (locked.length === 0) return emptyReport();
      const ended = (await this.run(client, 'expire_attempts', [locked, now ?? null])).rows;
      return this.release(client, locked, ended, 'the lease of its last attempt expired without a heartbeat');
    });
  }

  /**
   * A task manager is gone (process exited, invocation failed): its RUNNING attempts → FAILED and
   * their splits are released at once (as by expireLeases) instead of waiting for the leases.
   */
  async releaseTaskManager(taskManagerId: string, reason: string, options: { chargeRetry?: boolean } = {}): Promise<ReleaseReport> {
    return this.transaction('releaseTaskManager', async (client) => {
      const locked = (await this.run(client, 'lock_task_manager_splits', [taskManagerId])).rows.map((r) => r.id as string);
      if (locked.length === 0) return emptyReport();
      const ended = (await this.run(client, 'fail_task_manager_attempts', [locked, taskManagerId, `task manager exited: ${reason}`])).rows;
      return this.release(client, locked, ended, `the task manager running its last attempt exited (${reason})`, options.chargeRetry ?? true);
    });
  }

  /**
   * WorkerStore.giveBack: an attempt whose claim never reached its task manager (the complete it
   * rode on failed, so the answer carrying it was an error) ends CANCELLED with `reason`, and its
   * split goes back to PENDING at once without using up a retry, instead of waiting out a lease
   * nobody renews and then being charged for it. When the split still runs on another attempt
   * (a speculative copy, or the original beside its copy), it keeps running there and the given-back
   * place is offered again as a speculative slot, with no further retry charged. False when the
   * attempt no longer runs (nothing changed).
   */
  async giveBack(rawAttemptId: string, reason: string): Promise<boolean> {
    if (!isUuid(rawAttemptId)) return false;
    const attemptId = rawAttemptId.toLowerCase();
    this.grouped.forget(attemptId);
    return this.transaction('giveBack', async (client) => {
      const splitId = (await this.run(client, 'lock_attempt_split', [attemptId])).rows[0]?.id as string | undefined;
      if (splitId === undefined) return false;
      const ended = (await this.run(client, 'cancel_attempt', [attemptId, splitId, reason])).rows;
      if (ended.length === 0) return false;
      await this.release(client, [splitId], ended, reason, false);
      await this.run(client, 'reoffer_given_back', [splitId]);
      return true;
    });
  }

  /** Grant a RUNNING split one speculative copy (claimed after every PENDING split); false when its job's retry cap is reached or a copy is already waiting. */
  async addSpeculativeAttempt(splitId: string): Promise<boolean> {
    if (!isUuid(splitId)) return false;
    return ((await this.run(this.db.pool, 'speculate', [splitId])).rowCount ?? 0) > 0;
  }

  // ---- reads and task managers (Prisma) ----

  jobProgress(jobId: string, windowMs = 10_000): Promise<JobProgressSnapshot | null> {
    return this.guard('jobProgress', async () => {
      if (!isUuid(jobId)) return null;
      const row = (await this.run(this.db.pool, 'job_progress', [jobId, leaseMsInt(windowMs)])).rows[0];
      return row ? reads.progressFromRow(row, windowMs) : null;
    });
  }
  getJob(jobId: string): Promise<JobRecord | null> {
    return this.guard('getJob', () => reads.getJob(this.db.prisma, jobId));
  }
  getJobWithSettings(jobId: string): Promise<JobWithSettings | null> {
    return this.guard('getJobWithSettings', async () => {
      if (!isUuid(jobId)) return null;
      const row = (await this.run(this.db.pool, 'job_with_settings', [jobId])).rows[0];
      return row ? { ...jobFromRow(row), settings: row.settings, workerSecret: row.worker_secret as string } : null;
    });
  }
  listJobs(options: reads.ListJobsOptions = {}): Promise<JobRecord[]> {
    return this.guard('listJobs', () => reads.listJobs(this.db.prisma, options));
  }
  listResults(jobId: string, options: ListResultsOptions = {}): Promise<ResultRecord[]> {
    return this.guard('listResults', () => reads.listResults(this.db.prisma, jobId, options));
  }
  listSplits(jobId: string): Promise<SplitSummary[]> {
    return this.guard('listSplits', () => reads.listSplits(this.db.prisma, jobId));
  }
  listAttempts(jobId: string): Promise<AttemptRecord[]> {
    return this.guard('listAttempts', () => reads.listAttempts(this.db.prisma, jobId));
  }
  attemptOwner(attemptId: string): Promise<AttemptOwner | null> {
    return this.guard('attemptOwner', async () => {
      if (!isUuid(attemptId)) return null;
      const row = (await this.run(this.db.pool, 'attempt_owner', [attemptId])).rows[0];
      return row ? { jobId: row.job_id as string, taskManagerId: row.task_manager_id as string } : null;
    });
  }
  createTaskManager(input: taskManagers.NewTaskManager): Promise<TaskManagerRecord> {
    return this.guard('createTaskManager', () => taskManagers.createTaskManager(this.db.prisma, input));
  }
  markTaskManagerRunning(taskManagerId: string): Promise<boolean> {
    return this.guard('markTaskManagerRunning', () => taskManagers.markTaskManagerRunning(this.db.prisma, taskManagerId));
  }
  endTaskManager(taskManagerId: string, end: taskManagers.TaskManagerEnd): Promise<boolean> {
    return this.guard('endTaskManager', () => taskManagers.endTaskManager(this.db.prisma, taskManagerId, end));
  }
  /** WorkerStore.report: a task manager's final report; idempotent (the client retries). */
  report(jobId: string, report: TaskManagerReport): Promise<void> {
    return this.guard('report', () => taskManagers.recordReport(this.db.prisma, jobId, report));
  }
  listTaskManagers(jobId: string): Promise<TaskManagerRecord[]> {
    return this.guard('listTaskManagers', () => taskManagers.listTaskManagers(this.db.prisma, jobId));
  }

  // ---- internals ----

  private async release(client: pg.PoolClient, lockedSplitIds: string[], ended: Row[], why: string, chargeRetry = true): Promise<ReleaseReport> {
    const released = (await this.run(client, 'release_splits', [lockedSplitIds, why, chargeRetry])).rows;
    const failed = released.filter((r) => r.status === 'FAILED').map((r) => r.id as string);
    const errorRecords = failed.length === 0 ? 0
      : ((await this.run(client, 'fail_split_inputs', [failed, 'SPLIT_FAILED', `split failed: ${why}`])).rows[0]?.stored as number);
    const endedAttempts: ExpiredAttempt[] = ended.map((r) => ({
      attemptId: r.id as string, splitId: r.split_id as string, jobId: r.job_id as string, taskManagerId: r.task_manager_id as string,
    }));
    const releasedSplits: ReleasedSplit[] = released.map((r) => ({
      splitId: r.id as string, jobId: r.job_id as string, ordinal: r.ordinal as number,
      status: r.status as ReleasedSplit['status'], retries: r.retries as number,
    }));
    const jobIds = [...new Set([...endedAttempts.map((a) => a.jobId), ...releasedSplits.map((s) => s.jobId)])];
    return { endedAttempts, releasedSplits, errorRecords, jobIds };
  }

  private async terminate(jobId: string, status: JobStatus, errorCode: string, reason: string): Promise<TerminateReport> {
    const unchanged: TerminateReport = { changed: false, cancelledAttempts: 0, failedSplits: 0, errorRecords: 0 };
    if (!isUuid(jobId)) return unchanged;
    const rollback = Symbol('job already over');
    try {
      return await this.transaction('terminateJob', async (client) => {
        // Splits first (see the header): a complete() in flight finishes before we touch its split.
        const splits = (await this.run(client, 'terminate_splits', [jobId, reason])).rows.map((r) => r.id as string);
        const attempts = await this.run(client, 'terminate_attempts', [jobId, reason]);
        const errorRecords = splits.length === 0 ? 0
          : ((await this.run(client, 'fail_split_inputs', [splits, errorCode, reason])).rows[0]?.stored as number);
        const job = await this.run(client, 'terminate_job', [jobId, status, reason]);
        if ((job.rowCount ?? 0) === 0) throw rollback;
        return { changed: true, cancelledAttempts: attempts.rowCount ?? 0, failedSplits: splits.length, errorRecords };
      });
    } catch (error) {
      if (error === rollback) return unchanged;
      throw error;
    }
  }

  private async run(on: Queryable, name: StatementName, values: unknown[]): Promise<pg.QueryResult<Row>> {
    const statement = this.sql[name];
    try {
      // Prepared per plan generation: re-planned as the tables grow (sql.ts).
      return await on.query<Row>({ name: preparedName(statement.name, planGeneration(this.handedOut)), text: statement.text, values });
    } catch (error) {
      throw toStoreError(error, `SQL ${name}`);
    }
  }

  private async transaction<T>(doing: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    try {
      return await withTransaction(this.db.pool, work);
    } catch (error) {
      if (typeof error === 'symbol') throw error;
      throw toStoreError(error, doing);
    }
  }

  private async guard<T>(doing: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw toStoreError(error, doing);
    }
  }
}

function emptyReport(): ReleaseReport {
  return { endedAttempts: [], releasedSplits: [], errorRecords: 0, jobIds: [] };
}

/** Lease lengths go to SQL as int milliseconds. */
function leaseMsInt(ms: number): number {
  if (!Number.isFinite(ms) || ms < 1) throw new StoreError(StoreErrorCode.INVALID_OPTIONS, `a lease / window must be a positive number of ms (got ${ms})`);
  return Math.min(Math.round(ms), 2 ** 31 - 1);
}
