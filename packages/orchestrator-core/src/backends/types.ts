import type { PgSplitStore } from '../store/split-store.js';

/**
 * Backend port: where task managers run. A backend starts a task manager with the same payload a
 * Lambda invocation would get and tells when it has exited. It never interprets the payload: the
 * task runtime validates it on arrival.
 */

export interface TaskManagerExit {
  /** Process exit code, or null when killed by a signal / unknown (Lambda). */
  code: number | null;
  signal: string | null;
  /** The invocation's response (static mode), already parsed as JSON; undefined when none. */
  response?: unknown;
  /** Why it failed, when it did (spawn error, crash, invoke error). */
  error?: string;
}

export interface TaskManagerHandle {
  readonly taskManagerId: string;
  /** Resolves once, when the task manager is gone (never rejects). */
  readonly exited: Promise<TaskManagerExit>;
  /** OS process id, when the task manager is a local process (tests signal it; logs name it). */
  readonly pid?: number;
  /** Ask it to stop now (SIGTERM, then SIGKILL after a grace period for local processes). */
  kill(): void;
}

export interface Backend {
  readonly name: 'local' | 'lambda';
  /** Start one task manager. Rejects only when it could not be started at all. */
  start(taskManagerId: string, payload: unknown): Promise<TaskManagerHandle>;
  /** Task managers this backend started that have not exited yet. */
  live(): number;
  /** Stop every task manager it started and wait for them to exit. */
  close(): Promise<void>;
  /**
   * Called by Orchestrator.start() once its store exists, before any task manager starts: a backend
   * that learns about exits from the store (Lambda's Event invocations) hooks in here.
   */
  attach?(ctx: { store: PgSplitStore }): void;
}
