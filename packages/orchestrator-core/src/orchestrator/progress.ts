/**
 * JobProgress from a store snapshot: rolling throughput, ETA and stuck splits. Pure functions, so
 * the gateway's subscription and the CLI's progress bar report the same numbers.
 */
import type { JobProgress, StuckSplit } from '../api-types.js';
import type { JobProgressSnapshot } from '../store/types.js';

export interface ProgressSettings {
  /** Speculation multiplier: a split running longer than this × the median split time is SLOW. */
  speculationMultiplier: number;
  /** The job's lease; a lease with less than `lapsingFraction` of it left is LEASE_LAPSING. */
  leaseMs: number;
  lapsingFraction?: number;
}

export function progressFromSnapshot(snapshot: JobProgressSnapshot, settings: ProgressSettings): JobProgress {
  const { job, now } = snapshot;
  const nowMs = now.getTime();
  const finished = job.doneCount + job.errorCount;
  // Early in a job the window is longer than the job has run: divide by the time actually elapsed.
  const elapsedMs = job.startedAt ? Math.max(1, nowMs - job.startedAt.getTime()) : snapshot.windowMs;
  const windowMs = Math.min(snapshot.windowMs, elapsedMs);
  const imagesPerSecond = job.endedAt ? 0 : round2(snapshot.finishedInWindow / (windowMs / 1000));
  const remaining = job.totalInputs - finished;
  const median = snapshot.medianSplitMs;
  const etaSeconds = job.endedAt || remaining <= 0 || imagesPerSecond <= 0
    ? null
    : Math.ceil(Math.max(remaining / imagesPerSecond, tailFloorMs(snapshot, median) / 1000));

  const lapsingMs = settings.leaseMs * (settings.lapsingFraction ?? 1 / 3);
  const stuckSplits: StuckSplit[] = [];
  for (const a of snapshot.runningAttempts) {
    const ageMs = nowMs - a.startedAt.getTime();
    const leaseExpiresInMs = a.leaseExpiresAt.getTime() - nowMs;
    let reason: StuckSplit['reason'] | null = null;
    if (median !== null && ageMs > settings.speculationMultiplier * median) reason = 'SLOW';
    else if (leaseExpiresInMs < lapsingMs) reason = 'LEASE_LAPSING';
    if (reason === null) continue;
    stuckSplits.push({
      splitId: a.splitId,
      ordinal: a.ordinal,
      attemptId: a.attemptId,
      taskManagerId: a.taskManagerId,
      speculative: a.speculative,
      ageMs,
      medianSplitMs: median,
      leaseExpiresInMs,
      reason,
    });
  }
  stuckSplits.sort((x, y) => y.ageMs - x.ageMs);

  return {
    jobId: job.id,
    name: job.name,
    status: job.status,
    backend: job.backend,
    totalInputs: job.totalInputs,
    done: job.doneCount,
    failed: job.errorCount,
    splits: snapshot.splits,
    imagesPerSecond,
    etaSeconds,
    activeTaskManagers: snapshot.activeTaskManagers,
    medianSplitMs: median,
    stuckSplits,
    errorsByCode: snapshot.errorsByCode,
    createdAt: job.createdAt,
    startedAt: job.startedAt,
    endedAt: job.endedAt,
  };
}

/**
 * The least time the job still needs, from its splits rather than its rate: in a job's tail the
 * rolling rate still counts the splits that just finished, so remaining ÷ rate alone promises an
 * end before the running splits can be done. A split still waiting needs at least one median
 * split time; otherwise the job waits for its slowest running split to reach the median split time
 * (one already past it has no estimate, and counts 0). 0 before the first split is done.
 */
function tailFloorMs(snapshot: JobProgressSnapshot, median: number | null): number {
  if (median === null) return 0;
  if (snapshot.splits.pending > 0) return median;
  const nowMs = snapshot.now.getTime();
  let floor = 0;
  for (const a of snapshot.runningAttempts) floor = Math.max(floor, median - (nowMs - a.startedAt.getTime()));
  return floor;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
