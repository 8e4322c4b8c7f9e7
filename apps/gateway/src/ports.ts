/**
 * What the gateway needs from the rest of the system. `GatewayOrchestrator` is the slice of
 * orchestrator-core's `Orchestrator` the resolvers call; `GatewayStore` is the read side over
 * Postgres (implemented with the orchestrator's Prisma client in store/prisma-store.ts).
 */
import type { JobStatus, SplitStatus } from './schema/enums.js';
import type { Attempt, Job, Result, Split, TaskManager, ThroughputPoint } from './schema/objects.js';
import type { ErrorCount } from './schema/progress.js';
import type { SqlClient } from './store/prisma-store.js';

export type MaybePromise<T> = T | Promise<T>;

/** Structurally orchestrator-core's `JobProgress` (api-types.ts). */
export interface ProgressSnapshot {
  jobId: string;
  name: string;
  status: JobStatus;
  backend: string;
  totalInputs: number;
  done: number;
  failed: number;
  splits: { total: number; pending: number; running: number; done: number; failed: number };
  imagesPerSecond: number;
  etaSeconds: number | null;
  activeTaskManagers: number;
  medianSplitMs: number | null;
  stuckSplits: {
    splitId: string;
    ordinal: number;
    attemptId: string;
    taskManagerId: string;
    speculative: boolean;
    ageMs: number;
    medianSplitMs: number | null;
    leaseExpiresInMs: number;
    reason: 'SLOW' | 'LEASE_LAPSING';
  }[];
  errorsByCode: { code: string; count: number }[];
  createdAt: Date;
  startedAt: Date | null;
  endedAt: Date | null;
}

export interface JobStatusEvent {
  jobId: string;
  status: JobStatus;
}

/**
 * The job settings handed to `enqueueJob` — orchestrator-core's `JobOptionsInput` — made from a
 * SubmitJobInput with `inputsFrom` already read.
 * The orchestrator compiles and validates it (throwing JobOptionsError with field-named issues).
 */
export interface JobSubmission {
  name: string;
  inputs: string[];
  bucket?: string;
  splitSize?: number;
  numTaskManagers?: number;
  backend?: string;
  splitMode?: string;
  speculation?: { enabled?: boolean; quantile?: number; multiplier?: number; extraTaskManagers?: number };
  keepAlive?: { enabled?: boolean; intervalMs?: number };
  leaseMs?: number;
  maxSplitRetries?: number;
  output?: { storage?: string; location?: string; bucket?: string };
  taskManagerConfig?: Record<string, unknown>;
  model?: { dir: string };
}

export interface GatewayOrchestrator {
  enqueueJob(input: JobSubmission): Promise<{ jobId: string }>;
  /** false when the job is unknown or already over. */
  cancelJob(jobId: string): Promise<boolean>;
  getProgress(jobId: string): MaybePromise<ProgressSnapshot | null>;
  on(event: 'jobStatus', listener: (e: JobStatusEvent) => void): unknown;
  off(event: 'jobStatus', listener: (e: JobStatusEvent) => void): unknown;
  /** The orchestrator's database; the gateway reads through its Prisma client unless given a store. */
  readonly db?: { readonly prisma: SqlClient } | null;
}

/** Keyset position after which a page starts. */
export type JobKey = { createdAt: Date; id: string };

export interface PageOf<T> {
  nodes: T[];
  hasNextPage: boolean;
  totalCount: number;
}

export interface ResultQuery {
  jobId: string;
  label?: string | undefined;
  errorCode?: string | undefined;
  hasError?: boolean | undefined;
  first: number;
  afterIndex: number | null;
}

export interface GatewayStore {
  getJob(id: string): Promise<Job | null>;
  /** Newest first (createdAt desc, id desc). */
  listJobs(q: { statuses?: JobStatus[] | undefined; first: number; after: JobKey | null }): Promise<PageOf<Job>>;
  /** By input index ascending. */
  listResults(q: ResultQuery): Promise<PageOf<Result>>;
  /** By ordinal ascending. */
  listSplits(jobId: string, status?: SplitStatus): Promise<Split[]>;
  /** By start time ascending. */
  listAttempts(splitId: string): Promise<Attempt[]>;
  listTaskManagers(jobId: string): Promise<TaskManager[]>;
  errorsByCode(jobId: string): Promise<ErrorCount[]>;
  /** Inputs finished (result or error) per bucket of `bucketSeconds`, oldest first, empty buckets left out. */
  throughput(jobId: string, bucketSeconds: number): Promise<ThroughputPoint[]>;
}
