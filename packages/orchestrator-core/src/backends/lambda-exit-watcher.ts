/**
 * createStoreExitWatcher: the Lambda backend's `watchExit` hook, from the split store's
 * task-manager rows. A dynamic task manager's last act is its final report (the worker endpoint
 * stores it on its row; a task manager that failed before its pull loop reports `ERROR` from the
 * bundle's entry point), so "report present" means "gone". A row ended by someone else
 * (EXITED / FAILED) or deleted with its job also ends the wait.
 *
 * One poll per job per `pollMs` covers every task manager of that job being watched.
 */
import type { TaskManagerRecord } from '../store/types.js';
import type { ExitWatcher } from './lambda-options.js';
import type { TaskManagerExit } from './types.js';

export interface StoreExitWatcherOptions {
  /** Default 1 000 ms: a job's end waits for its task managers' exits, so this adds up to one poll. */
  pollMs?: number;
  log?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

/** The part of the split store this needs (PgSplitStore has it). */
export interface TaskManagerRows {
  listTaskManagers(jobId: string): Promise<TaskManagerRecord[]>;
}

interface Waiter {
  resolve: (exit: TaskManagerExit) => void;
}

export function createStoreExitWatcher(store: () => TaskManagerRows, options: StoreExitWatcherOptions = {}): ExitWatcher {
  const pollMs = options.pollMs ?? 1_000;
  if (!Number.isInteger(pollMs) || pollMs < 10 || pollMs > 60_000) throw new RangeError(`createStoreExitWatcher: pollMs must be an integer from 10 to 60000 (got ${String(pollMs)})`);
  const byJob = new Map<string, Map<string, Waiter>>();
  let timer: NodeJS.Timeout | null = null;
  let failures = 0;

  const schedule = (): void => {
    if (timer !== null || byJob.size === 0) return;
    timer = setTimeout(() => void poll(), pollMs);
    timer.unref();
  };

  const poll = async (): Promise<void> => {
    for (const [jobId, waiters] of [...byJob]) {
      let rows: TaskManagerRecord[];
      try {
        rows = await store().listTaskManagers(jobId);
        failures = 0;
      } catch (err) {
        // The store may be briefly unreachable or not open yet: keep waiting, say so once.
        if (failures++ === 0) options.log?.('warn', 'exit watcher: reading task managers failed', { jobId, error: err instanceof Error ? err.message : String(err) });
        continue;
      }
      const rowById = new Map(rows.map((r) => [r.id, r]));
      for (const [taskManagerId, waiter] of [...waiters]) {
        const exit = exitFromRow(rowById.get(taskManagerId));
        if (exit !== null) {
          waiters.delete(taskManagerId);
          waiter.resolve(exit);
        }
      }
      if (waiters.size === 0) byJob.delete(jobId);
    }
    timer = null;
    schedule();
  };

  return (taskManagerId, jobId, signal) =>
    new Promise<TaskManagerExit>((resolve) => {
      if (jobId === null) return; // no row to watch: only the backend's timeout ends it
      const waiters = byJob.get(jobId) ?? new Map<string, Waiter>();
      byJob.set(jobId, waiters);
      waiters.set(taskManagerId, { resolve });
      signal.addEventListener(
        'abort',
        () => {
          waiters.delete(taskManagerId);
          if (waiters.size === 0 && byJob.get(jobId) === waiters) byJob.delete(jobId);
          resolve({ code: null, signal: null, error: 'no longer watched' });
        },
        { once: true },
      );
      schedule();
    });
}

/** null while the task manager may still run. */
export function exitFromRow(row: TaskManagerRecord | undefined): TaskManagerExit | null {
  if (row === undefined) return { code: null, signal: null, error: 'its task-manager row is gone (job deleted?)' };
  if (row.report !== null && row.report !== undefined) {
    const report = row.report as { exitReason?: unknown; errorMessage?: unknown };
    if (report.exitReason === 'ERROR') {
      return { code: null, signal: null, error: `task manager failed: ${typeof report.errorMessage === 'string' ? report.errorMessage : 'no message'}` };
    }
    return { code: 0, signal: null };
  }
  if (row.status === 'EXITED') return { code: 0, signal: null };
  if (row.status === 'FAILED') return { code: null, signal: null, error: row.error ?? 'task manager failed' };
  return null;
}
