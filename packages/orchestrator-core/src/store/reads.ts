/** Read-only views of jobs, splits, attempts and results (Prisma), and the progress row mapper. */
import type { PrismaClient, Prisma } from '../generated/prisma/client.js';
import type { JobStatus, SplitStatus } from '../ports.js';
import { attemptFromModel, isUuid, jobFromModel, jobFromRow, resultFromModel } from './rows.js';
import type {
  AttemptRecord, JobProgressSnapshot, JobRecord, ListResultsOptions, ResultRecord, RunningAttempt, SplitSummary,
} from './types.js';

const RESULTS_PAGE_DEFAULT = 100;
const RESULTS_PAGE_MAX = 10_000;

export interface ListJobsOptions {
  statuses?: JobStatus[];
  /** Oldest first (the queue order) by default. */
  newestFirst?: boolean;
  limit?: number;
}

export async function getJob(prisma: PrismaClient, jobId: string): Promise<JobRecord | null> {
  if (!isUuid(jobId)) return null;
  const job = await prisma.job.findUnique({ where: { id: jobId } });
  return job ? jobFromModel(job) : null;
}

/** Jobs by status, e.g. QUEUED + RUNNING when a restarted gateway recovers its work. */
export async function listJobs(prisma: PrismaClient, options: ListJobsOptions = {}): Promise<JobRecord[]> {
  const order = options.newestFirst ? 'desc' : 'asc';
  const jobs = await prisma.job.findMany({
    where: options.statuses ? { status: { in: options.statuses } } : {},
    orderBy: [{ createdAt: order }, { id: order }],
    ...(options.limit === undefined ? {} : { take: options.limit }),
  });
  return jobs.map(jobFromModel);
}

/** One page of a job's results in input order; `afterIndex` is the cursor. */
export async function listResults(prisma: PrismaClient, jobId: string, options: ListResultsOptions = {}): Promise<ResultRecord[]> {
  if (!isUuid(jobId)) return [];
  const where: Prisma.ResultWhereInput = { jobId };
  if (options.afterIndex !== undefined) where.inputIndex = { gt: options.afterIndex };
  if (options.label !== undefined) where.label = options.label;
  if (options.errorCode !== undefined) where.errorCode = options.errorCode;
  else if (options.errors === true) where.errorCode = { not: null };
  if (options.errors === false) where.label = options.label ?? { not: null };
  const rows = await prisma.result.findMany({
    where,
    orderBy: { inputIndex: 'asc' },
    take: Math.min(Math.max(1, Math.trunc(options.limit ?? RESULTS_PAGE_DEFAULT)), RESULTS_PAGE_MAX),
  });
  return rows.map(resultFromModel);
}

export async function listSplits(prisma: PrismaClient, jobId: string): Promise<SplitSummary[]> {
  if (!isUuid(jobId)) return [];
  const job = await prisma.job.findUnique({ where: { id: jobId }, select: { splitSize: true, totalInputs: true } });
  if (!job) return [];
  const splits = await prisma.split.findMany({
    where: { jobId },
    orderBy: { ordinal: 'asc' },
    select: {
      id: true, ordinal: true, firstIndex: true, status: true, retries: true, startedAt: true, doneAt: true, error: true,
      _count: { select: { attempts: true } },
    },
  });
  return splits.map((s) => ({
    splitId: s.id,
    ordinal: s.ordinal,
    firstIndex: s.firstIndex,
    size: Math.min(job.splitSize, job.totalInputs - s.firstIndex),
    status: s.status as SplitStatus,
    attempts: s._count.attempts,
    retries: s.retries,
    startedAt: s.startedAt,
    doneAt: s.doneAt,
    durationMs: s.startedAt && s.doneAt ? s.doneAt.getTime() - s.startedAt.getTime() : null,
    error: s.error,
  }));
}

/** Every attempt of a job in start order: the split timeline. */
export async function listAttempts(prisma: PrismaClient, jobId: string): Promise<AttemptRecord[]> {
  if (!isUuid(jobId)) return [];
  const attempts = await prisma.attempt.findMany({ where: { jobId }, orderBy: [{ startedAt: 'asc' }, { id: 'asc' }] });
  return attempts.map(attemptFromModel);
}

/** A job_progress.sql row → snapshot (its JSON columns carry timestamps as ISO strings). */
export function progressFromRow(row: Record<string, unknown>, windowMs: number): JobProgressSnapshot {
  const bySplitStatus = (row.splits_by_status ?? {}) as Partial<Record<SplitStatus, number>>;
  const splits = {
    pending: Number(bySplitStatus.PENDING ?? 0),
    running: Number(bySplitStatus.RUNNING ?? 0),
    done: Number(bySplitStatus.DONE ?? 0),
    failed: Number(bySplitStatus.FAILED ?? 0),
    total: 0,
  };
  splits.total = splits.pending + splits.running + splits.done + splits.failed;
  const running = (row.running_attempts ?? []) as Array<Record<string, unknown>>;
  return {
    job: jobFromRow(row),
    now: row.db_now as Date,
    splits,
    finishedInWindow: row.finished_in_window as number,
    windowMs,
    medianSplitMs: row.median_split_ms == null ? null : Number(row.median_split_ms),
    errorsByCode: ((row.errors_by_code ?? []) as Array<{ code: string; count: number }>).map((e) => ({ code: e.code, count: Number(e.count) })),
    runningAttempts: running.map(
      (a): RunningAttempt => ({
        attemptId: a.attemptId as string,
        splitId: a.splitId as string,
        ordinal: a.ordinal as number,
        taskManagerId: a.taskManagerId as string,
        speculative: a.speculative as boolean,
        startedAt: new Date(a.startedAt as string),
        leaseExpiresAt: new Date(a.leaseExpiresAt as string),
      }),
    ),
    activeTaskManagers: row.active_task_managers as number,
  };
}
