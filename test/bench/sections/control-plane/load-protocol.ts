/**
 * Messages between the control-plane section and its load processes (load-child.ts), over the
 * fork IPC channel. Times in a LoadRecord are ms since `startAtEpochMs`, so records of several
 * processes line up on one axis.
 */
import type { ClientMode, ProtocolMode } from './defaults.js';

export interface SimulatedTaskManager {
  id: string;
  token: string;
}

export interface LoadJob {
  url: string;
  taskManagers: SimulatedTaskManager[];
  client: ClientMode;
  /** `claim-next`: each complete also claims the next split (as the task runtime's pull loop does);
   *  `separate`: a claim request and a complete request per cycle. */
  protocol: ProtocolMode;
  /** Wall clock (Date.now()) at which every process starts its task managers. */
  startAtEpochMs: number;
  /** Task managers start no new cycle after this many ms since start. */
  stopAfterMs: number;
  /** Each task manager starts a claim → complete cycle at most once per period; 0 = back to back. */
  cyclePeriodMs: number;
  errorEvery: number;
  labels: readonly string[];
}

/** What one request did. */
export const OpKind = {
  CLAIM_SPLIT: 0,
  CLAIM_WAIT: 1,
  CLAIM_DONE: 2,
  COMPLETE_ACCEPTED: 3,
  /** duplicate / discarded: never expected here (one attempt per split). */
  COMPLETE_OTHER: 4,
  /** HTTP error or network failure; the task manager pauses briefly and goes on. */
  FAILED: 5,
  /** A split claimed on a complete request (claim-next): a claim, with that complete's latency,
   *  but not a request of its own. */
  CLAIM_SPLIT_RODE: 6,
} as const;
export type OpKind = (typeof OpKind)[keyof typeof OpKind];

/** Parallel arrays, one element per request (and one per claim that rode on a complete). */
export interface LoadRecord {
  kinds: number[];
  /** When the answer was read, ms since start. */
  endsMs: number[];
  latenciesMs: number[];
  /** Results the endpoint stored (complete), else 0. */
  stored: number[];
}

export interface LoadResult {
  record: LoadRecord;
  /** First `done` answer (the job ran out of splits), ms since start; null if none. */
  ranDryAtMs: number | null;
  /** Up to 5 distinct failure messages, for the notes. */
  failures: string[];
  /** This load process: CPU time ÷ wall and event-loop utilisation over its run. */
  cpuCores: number;
  eventLoopUtilisation: number;
}

export type ToChild = { type: 'run'; job: LoadJob };
export type FromChild = { type: 'ready' } | { type: 'result'; result: LoadResult } | { type: 'error'; message: string };
