/** The job summary: what runJob resolves with and what the `local` / `s3` outputs write as summary.json. */
import type { JobSummary } from '../api-types.js';
import type { PgSplitStore } from '../store/split-store.js';
import type { JobWithSettings } from '../store/types.js';
import type { StoredJobSettings } from './job-runner.js';

export async function buildSummary(store: PgSplitStore, job: JobWithSettings, settings: StoredJobSettings): Promise<JobSummary> {
  const [splits, taskManagers, snapshot] = await Promise.all([store.listSplits(job.id), store.listTaskManagers(job.id), store.jobProgress(job.id)]);
  const end = job.endedAt ?? snapshot?.now ?? new Date();
  const wallMs = job.startedAt ? Math.max(0, end.getTime() - job.startedAt.getTime()) : 0;
  const finished = job.doneCount + job.errorCount;
  return {
    jobId: job.id,
    name: job.name,
    status: job.status,
    totalInputs: job.totalInputs,
    done: job.doneCount,
    failed: job.errorCount,
    errorsByCode: snapshot?.errorsByCode ?? [],
    wallMs,
    imagesPerSecond: wallMs > 0 ? Math.round((finished / (wallMs / 1000)) * 100) / 100 : 0,
    plan: {
      splitSize: settings.plan.splitSize,
      numSplits: settings.plan.numSplits,
      numTaskManagers: job.numTaskManagers,
      appliedSteps: [...settings.plan.appliedSteps],
    },
    splits: splits.map((s) => ({ splitId: s.splitId, ordinal: s.ordinal, status: s.status, attempts: s.attempts, durationMs: s.durationMs })),
    taskManagers: taskManagers.map((t) => ({
      taskManagerId: t.id,
      items: t.items,
      busyMs: t.busyMs,
      idleMs: t.idleMs,
      coldStart: t.coldStart ?? false,
      startedAt: t.startedAt,
      endedAt: t.endedAt,
    })),
    coldStarts: taskManagers.filter((t) => t.coldStart === true).length,
    output: { storage: settings.job.output.storage, location: settings.job.output.location },
  };
}
