/**
 * Ports: the seams between the orchestrator's parts. Implementations own their connections.
 *
 * SplitStore is the one module that owns the split / attempt state machine (see DESIGN.md,
 * "Split lifecycle"). Everything that changes a split or an attempt goes through it, so the
 * transitions live in one place:
 *   Split:   PENDING → RUNNING → DONE | FAILED            (RUNNING → PENDING when its lease is lost
 *                                                          and retries remain)
 *   Attempt: RUNNING → SUCCEEDED | LOST | CANCELLED | FAILED
 *            (LOST | FAILED → SUCCEEDED when its late report arrives while the split is still open:
 *             the work is valid; the split's newer attempt is then CANCELLED)
 * Implementation: PgSplitStore (store/split-store.ts).
 */

import type { ItemOutcome, WorkItem } from '@offsample/task-runtime';

export const JobStatus = {
  QUEUED: 'QUEUED',
  RUNNING: 'RUNNING',
  SUCCEEDED: 'SUCCEEDED',
  FAILED: 'FAILED',
  CANCELLED: 'CANCELLED',
} as const;
export type JobStatus = (typeof JobStatus)[keyof typeof JobStatus];

export const SplitStatus = {
  PENDING: 'PENDING',
  RUNNING: 'RUNNING',
  DONE: 'DONE',
  FAILED: 'FAILED',
} as const;
export type SplitStatus = (typeof SplitStatus)[keyof typeof SplitStatus];

export const AttemptStatus = {
  RUNNING: 'RUNNING',
  SUCCEEDED: 'SUCCEEDED',
  LOST: 'LOST',
  CANCELLED: 'CANCELLED',
  FAILED: 'FAILED',
} as const;
export type AttemptStatus = (typeof AttemptStatus)[keyof typeof AttemptStatus];

export const TaskManagerStatus = {
  STARTING: 'STARTING',
  RUNNING: 'RUNNING',
  EXITED: 'EXITED',
  FAILED: 'FAILED',
} as const;
export type TaskManagerStatus = (typeof TaskManagerStatus)[keyof typeof TaskManagerStatus];

// The task runtime owns the per-item types (it produces them; the store persists them).
export type { ItemOutcome, WorkItem };

export type ClaimResult =
  | {
      kind: 'split';
      attemptId: string;
      splitId: string;
      ordinal: number;
      speculative: boolean;
      leaseExpiresAt: Date;
      items: WorkItem[];
    }
  /** Nothing to claim now but splits are still running: wait (bounded back-off) and ask again. */
  | { kind: 'wait'; retryAfterMs: number }
  /** The job is over (done, failed or cancelled): the task manager should exit. */
  | { kind: 'done' };

export type HeartbeatResult =
  | { kind: 'continue'; leaseExpiresAt: Date }
  /** Another attempt won, the lease was lost, or the job was cancelled: stop this attempt. */
  | { kind: 'abandon'; reason: 'SPLIT_DONE' | 'LEASE_LOST' | 'JOB_CANCELLED' | 'UNKNOWN_ATTEMPT' };

export type CompleteResult =
  /** This attempt won: its outcomes were stored. */
  | { kind: 'accepted'; stored: number }
  /** Already completed by this same attempt (a retried call): nothing changed. */
  | { kind: 'duplicate' }
  /** Another attempt completed first, or the split already failed: outcomes discarded. */
  | { kind: 'discarded'; reason: 'SPLIT_DONE' | 'SPLIT_FAILED' | 'JOB_CANCELLED' | 'UNKNOWN_ATTEMPT' };

export interface SplitStore {
  /** Claim the next split of `jobId` for `taskManagerId` with a lease; originals before speculative copies. */
  claim(jobId: string, taskManagerId: string, leaseMs: number): Promise<ClaimResult>;
  heartbeat(attemptId: string, leaseMs: number): Promise<HeartbeatResult>;
  /**
   * Idempotent; the first completion of a split wins. With `owner`, an attempt held by another
   * job or task manager is answered as unknown (discarded UNKNOWN_ATTEMPT).
   */
  complete(attemptId: string, outcomes: ItemOutcome[], timings?: SplitTimings, owner?: AttemptOwner): Promise<CompleteResult>;
}

/** Split-level timings a task manager measured for one attempt (all optional). */
export interface SplitTimings {
  /** Claim answer received → complete sent. */
  wallMs?: number;
  fetchMs?: number;
  preprocessMs?: number;
  inferMs?: number;
}

/** Who holds an attempt: the worker endpoint checks it against the caller's token. */
export interface AttemptOwner {
  jobId: string;
  taskManagerId: string;
}

/** A task manager's final report (worker protocol `POST /v1/report`). */
export interface TaskManagerReport {
  taskManagerId: string;
  /** Items finished with a label / with an error record. */
  items: number;
  errors: number;
  splits?: number;
  busyMs: number;
  idleMs: number;
  coldStart: boolean;
  modelLoadMs?: number;
  startedAt: Date;
  endedAt: Date;
  exitReason?: 'JOB_DONE' | 'IDLE' | 'DEADLINE' | 'STOPPED' | 'ERROR';
  errorMessage?: string;
  peakRssBytes?: number;
}

/**
 * What the worker endpoint needs: the split store, plus who owns an attempt (so a task manager
 * can only heartbeat / complete its own attempts) and, optionally, where TM reports go (should be
 * idempotent per task manager: the client retries).
 */
export interface WorkerStore extends SplitStore {
  /** null when the attempt does not exist. */
  attemptOwner(attemptId: string): Promise<AttemptOwner | null>;
  report?(jobId: string, report: TaskManagerReport): Promise<void>;
  /**
   * An attempt this store handed out whose answer never reached its task manager (the complete
   * that claimNext rode on failed): end it and put its split back at once, using up no retry (or,
   * while the split runs on another attempt, offer its place again as a speculative slot).
   * False when the attempt no longer runs.
   */
  giveBack(attemptId: string, reason: string): Promise<boolean>;
}
