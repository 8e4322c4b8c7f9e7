/**
 * The orchestrator's public surface as the gateway, the CLI and the dashboard see it.
 * `Orchestrator` (orchestrator.ts) implements `OrchestratorApi`.
 */
import type { JobStatus, SplitStatus } from './ports.js';

/** Rolling progress of one job, as the `jobProgress` subscription reports it. */
export interface JobProgress {
  jobId: string;
  name: string;
  status: JobStatus;
  backend: string;
  totalInputs: number;
  /** Inputs with a result (a label). */
  done: number;
  /** Inputs with an error record. */
  failed: number;
  splits: { total: number; pending: number; running: number; done: number; failed: number };
  /** Inputs finished per second over the last `windowMs` (rolling). */
  imagesPerSecond: number;
  /**
   * Seconds to finish at the rolling rate, and never less than the splits still need at the median
   * split time (a waiting split: one median; else the running splits' remaining median time);
   * null when unknown (no rate yet) or finished.
   */
  etaSeconds: number | null;
  activeTaskManagers: number;
  medianSplitMs: number | null;
  stuckSplits: StuckSplit[];
  errorsByCode: { code: string; count: number }[];
  createdAt: Date;
  startedAt: Date | null;
  endedAt: Date | null;
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
  /** SLOW: running longer than speculation multiplier × median; LEASE_LAPSING: lease about to expire. */
  reason: 'SLOW' | 'LEASE_LAPSING';
}

/** What runJob resolves with, and what the `local` output's summary JSON holds. */
export interface JobSummary {
  jobId: string;
  name: string;
  status: JobStatus;
  totalInputs: number;
  done: number;
  failed: number;
  errorsByCode: { code: string; count: number }[];
  wallMs: number;
  imagesPerSecond: number;
  plan: { splitSize: number; numSplits: number; numTaskManagers: number; appliedSteps: string[] };
  splits: { splitId: string; ordinal: number; status: SplitStatus; attempts: number; durationMs: number | null }[];
  taskManagers: {
    taskManagerId: string;
    items: number;
    busyMs: number;
    idleMs: number;
    coldStart: boolean;
    startedAt: Date;
    endedAt: Date | null;
  }[];
  coldStarts: number;
  output: { storage: 'print' | 'local' | 's3'; location: string | null };
}
