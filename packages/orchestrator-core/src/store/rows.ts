/** Mapping database rows (raw SQL snake_case, or Prisma models) to the store's types. */
import type { Job as JobModel, Attempt as AttemptModel, TaskManager as TaskManagerModel, Result as ResultModel } from '../generated/prisma/client.js';
import type { JobStatus } from '../ports.js';
import type { AttemptRecord, JobRecord, ResultRecord, TaskManagerRecord } from './types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids arrive from the network: anything that is not a UUID cannot name a row (and would make a `::uuid` cast fail). */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

export function splitModeFromDb(value: string): 'dynamic' | 'static' {
  return value === 'STATIC' ? 'static' : 'dynamic';
}

export function jobFromModel(job: JobModel): JobRecord {
  return {
    id: job.id,
    name: job.name,
    status: job.status,
    backend: job.backend,
    splitMode: splitModeFromDb(job.splitMode),
    splitSize: job.splitSize,
    numSplits: job.numSplits,
    numTaskManagers: job.numTaskManagers,
    totalInputs: job.totalInputs,
    maxSplitRetries: job.maxSplitRetries,
    doneCount: job.doneCount,
    errorCount: job.errorCount,
    outputStorage: job.outputStorage,
    outputLocation: job.outputLocation,
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    endedAt: job.endedAt,
    error: job.error,
  };
}

/** A `jobs` row as raw SQL returns it (snake_case). */
export function jobFromRow(row: Record<string, unknown>): JobRecord {
  return {
    id: row.id as string,
    name: row.name as string,
    status: row.status as JobStatus,
    backend: row.backend as string,
    splitMode: splitModeFromDb(row.split_mode as string),
    splitSize: row.split_size as number,
    numSplits: row.num_splits as number,
    numTaskManagers: row.num_task_managers as number,
    totalInputs: row.total_inputs as number,
    maxSplitRetries: row.max_split_retries as number,
    doneCount: row.done_count as number,
    errorCount: row.error_count as number,
    outputStorage: (row.output_storage as string | null) ?? null,
    outputLocation: (row.output_location as string | null) ?? null,
    createdAt: row.created_at as Date,
    startedAt: (row.started_at as Date | null) ?? null,
    endedAt: (row.ended_at as Date | null) ?? null,
    error: (row.error as string | null) ?? null,
  };
}

export function attemptFromModel(a: AttemptModel): AttemptRecord {
  return {
    attemptId: a.id,
    splitId: a.splitId,
    taskManagerId: a.taskManagerId,
    status: a.status,
    speculative: a.speculative,
    startedAt: a.startedAt,
    endedAt: a.endedAt,
    leaseExpiresAt: a.leaseExpiresAt,
    itemCount: a.itemCount,
    error: a.error,
  };
}

export function taskManagerFromModel(t: TaskManagerModel): TaskManagerRecord {
  return {
    id: t.id,
    jobId: t.jobId,
    backend: t.backend,
    status: t.status,
    startedAt: t.startedAt,
    endedAt: t.endedAt,
    coldStart: t.coldStart,
    items: t.items,
    busyMs: t.busyMs,
    idleMs: t.idleMs,
    report: t.report,
    error: t.error,
  };
}

export function resultFromModel(r: ResultModel): ResultRecord {
  return {
    inputIndex: r.inputIndex,
    input: r.input,
    label: r.label,
    // A NULL float8[] comes back from Prisma as an empty list.
    probabilities: r.probabilities.length > 0 ? r.probabilities : null,
    errorCode: r.errorCode,
    errorMessage: r.errorMessage,
    splitId: r.splitId,
    attemptId: r.attemptId,
    fetchMs: r.fetchMs,
    preprocessMs: r.preprocessMs,
    inferMs: r.inferMs,
    createdAt: r.createdAt,
  };
}
