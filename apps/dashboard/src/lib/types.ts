/** TypeScript shapes of what the dashboard queries, mirroring apps/gateway/schema.graphql. */
import type { ResultRow as ExportedResultRow } from '@offsample/orchestrator-core/results-format';

export const JOB_STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];
export type SplitStatus = 'PENDING' | 'RUNNING' | 'DONE' | 'FAILED';
export type AttemptStatus = 'RUNNING' | 'SUCCEEDED' | 'LOST' | 'CANCELLED' | 'FAILED';
export type Backend = 'LOCAL' | 'LAMBDA';
export type SplitMode = 'DYNAMIC' | 'STATIC';

export function isActive(status: JobStatus): boolean {
  return status === 'QUEUED' || status === 'RUNNING';
}

export interface JobRow {
  id: string;
  name: string;
  status: JobStatus;
  backend: Backend;
  splitMode: SplitMode;
  splitSize: number;
  numTaskManagers: number;
  totalInputs: number;
  done: number;
  failed: number;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
}

export interface StuckSplit {
  splitId: string;
  ordinal: number;
  attemptId: string;
  taskManagerId: string;
  speculative: boolean;
  ageMs: number;
  medianSplitMs: number | null;
  leaseExpiresInMs: number;
  reason: 'SLOW' | 'LEASE_LAPSING';
}

export interface ErrorCount {
  code: string;
  count: number;
}

export interface JobProgress {
  jobId: string;
  name: string;
  status: JobStatus;
  backend: Backend;
  totalInputs: number;
  done: number;
  failed: number;
  splits: { total: number; pending: number; running: number; done: number; failed: number };
  imagesPerSecond: number;
  etaSeconds: number | null;
  activeTaskManagers: number;
  medianSplitMs: number | null;
  stuckSplits: StuckSplit[];
  errorsByCode: ErrorCount[];
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
}

export interface ThroughputPoint {
  t: string;
  items: number;
}

export interface Attempt {
  id: string;
  splitId: string;
  taskManagerId: string;
  status: AttemptStatus;
  speculative: boolean;
  startedAt: string;
  endedAt: string | null;
  leaseExpiresAt: string;
}

export interface Split {
  id: string;
  ordinal: number;
  status: SplitStatus;
  firstIndex: number;
  size: number;
  retries: number;
  attempts: Attempt[];
}

export interface TaskManager {
  id: string;
  status: string;
  coldStart: boolean;
  items: number;
  busyMs: number;
  idleMs: number;
  startedAt: string;
  endedAt: string | null;
}

/** A row of the results query: what every export writes (results-format.ts), and when it was stored. */
export interface ResultRow extends ExportedResultRow {
  createdAt: string;
}

export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface Connection<T> {
  nodes: T[];
  pageInfo: PageInfo;
  totalCount: number;
}
