/** Types of the split store beyond the SplitStore port (ports.ts). */
import type { ResultRow } from '../results-format.js';
import type { AttemptStatus, JobStatus, SplitStatus, TaskManagerStatus } from '../ports.js';

/** What createJob() stores. Settings come already compiled and planned by the caller. */
export interface JobSpec {
  name: string;
  backend: string;
  splitMode: 'dynamic' | 'static';
  /** Inputs per split (≥ 1); the last split may be shorter. */
  splitSize: number;
  numTaskManagers: number;
  /** Attempts a split may get beyond its first (after lost leases, plus speculative copies). */
  maxSplitRetries: number;
  inputs: readonly string[];
  /** The compiled job options (JSON-serialisable), kept so a restarted gateway can resume the job. */
  settings: unknown;
  /** Secret for task-manager tokens; generated (32 random bytes, hex) when omitted. */
  workerSecret?: string;
  outputStorage?: string | null;
  outputLocation?: string | null;
}

export interface JobRecord {
  id: string;
  name: string;
  status: JobStatus;
  backend: string;
  splitMode: 'dynamic' | 'static';
  splitSize: number;
  numSplits: number;
  numTaskManagers: number;
  totalInputs: number;
  maxSplitRetries: number;
  /** Inputs with a label. */
  doneCount: number;
  /** Inputs with an error record. */
  errorCount: number;
  outputStorage: string | null;
  outputLocation: string | null;
  createdAt: Date;
  startedAt: Date | null;
  endedAt: Date | null;
  error: string | null;
}

export interface JobWithSettings extends JobRecord {
  settings: unknown;
  workerSecret: string;
}

export interface RunningAttempt {
  attemptId: string;
  splitId: string;
  ordinal: number;
  taskManagerId: string;
  speculative: boolean;
  startedAt: Date;
  leaseExpiresAt: Date;
}

/** Raw material for progress reporting and speculation; times compare against `now` (database clock). */
export interface JobProgressSnapshot {
  job: JobRecord;
  now: Date;
  splits: { total: number; pending: number; running: number; done: number; failed: number };
  /** Inputs of the splits completed in the last `windowMs` (results and per-item errors). */
  finishedInWindow: number;
  windowMs: number;
  /** Median duration of winning attempts; null before the first split is done. */
  medianSplitMs: number | null;
  errorsByCode: { code: string; count: number }[];
  runningAttempts: RunningAttempt[];
  /** Task managers STARTING or RUNNING. */
  activeTaskManagers: number;
}

export interface ExpiredAttempt {
  attemptId: string;
  splitId: string;
  jobId: string;
  taskManagerId: string;
}

export interface ReleasedSplit {
  splitId: string;
  jobId: string;
  ordinal: number;
  /** PENDING (retried) or FAILED (retries used up; its inputs got SPLIT_FAILED error records). */
  status: typeof SplitStatus.PENDING | typeof SplitStatus.FAILED;
  retries: number;
}

/** What expireLeases() / releaseTaskManager() did. */
export interface ReleaseReport {
  /** Attempts that became LOST (lease) or FAILED (task manager gone). */
  endedAttempts: ExpiredAttempt[];
  releasedSplits: ReleasedSplit[];
  /** Error records written for the inputs of FAILED splits. */
  errorRecords: number;
  /** Jobs touched, so the caller can call finishJobIfComplete() on them. */
  jobIds: string[];
}

export interface TerminateReport {
  /** False when the job was already over (or unknown): nothing changed. */
  changed: boolean;
  cancelledAttempts: number;
  failedSplits: number;
  errorRecords: number;
}

export interface TaskManagerRecord {
  id: string;
  jobId: string;
  backend: string;
  status: TaskManagerStatus;
  startedAt: Date;
  endedAt: Date | null;
  coldStart: boolean | null;
  items: number;
  busyMs: number;
  idleMs: number;
  report: unknown;
  error: string | null;
}

export interface ResultRecord extends ResultRow {
  splitId: string | null;
  attemptId: string | null;
  fetchMs: number | null;
  preprocessMs: number | null;
  inferMs: number | null;
  createdAt: Date;
}

export interface ListResultsOptions {
  /** Only inputs with a larger index (cursor). */
  afterIndex?: number;
  /** Page size (default 100, at most 10 000). */
  limit?: number;
  label?: string;
  errorCode?: string;
  /** true: only error records; false: only labelled results. */
  errors?: boolean;
}

export interface SplitSummary {
  splitId: string;
  ordinal: number;
  firstIndex: number;
  size: number;
  status: SplitStatus;
  attempts: number;
  retries: number;
  startedAt: Date | null;
  doneAt: Date | null;
  /** Start of the first attempt to the end of the split; null while unfinished. */
  durationMs: number | null;
  error: string | null;
}

export interface AttemptRecord {
  attemptId: string;
  splitId: string;
  taskManagerId: string;
  status: AttemptStatus;
  speculative: boolean;
  startedAt: Date;
  endedAt: Date | null;
  leaseExpiresAt: Date;
  itemCount: number | null;
  error: string | null;
}
