/**
 * What the gateway needs from the rest of the system. `GatewayOrchestrator` is the slice of
 * orchestrator-core's `Orchestrator` the resolvers call; `GatewayStore` is the read side over
 * Postgres (implemented with the orchestrator's Prisma client in store/prisma-store.ts).
 */
import type { JobOptionsInput, JobProgress, JobStatusEvent } from '@offsample/orchestrator-core';
import type { JobStatus, SplitStatus } from './schema/enums.js';

export type { JobStatusEvent };
import type { Attempt, Job, Result, Split, TaskManager, ThroughputPoint } from './schema/objects.js';
import type { ErrorCount } from './schema/progress.js';
import type { SqlClient } from './store/prisma-store.js';

export type MaybePromise<T> = T | Promise<T>;

/** What `jobProgress` emits: orchestrator-core's `JobProgress`. */
export type ProgressSnapshot = JobProgress;

/** The job settings handed to `enqueueJob`, made from a SubmitJobInput with `inputsFrom` already read. */
export type JobSubmission = JobOptionsInput;

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
