/**
 * Dynamic mode: pull splits from the worker endpoint until the job needs this task manager no more.
 *
 * - The next split is claimed before the current one drains: as soon as the pipeline holds fewer
 *   than a low-water mark of items, so fetch / preprocess / infer never run dry between splits,
 *   while a task manager never sits on more than `maxSplitsInFlight` leases.
 * - When a split completes and the loop would claim right away (a lease slot frees, the pipeline
 *   is low), the claim rides on the complete request (`claimNext`): one round trip per split
 *   instead of two. Its answer is handed to the loop as if the loop had claimed it.
 * - Each attempt heartbeats while it runs (keep-alive); an `abandon` answer (another attempt won,
 *   lease lost, job cancelled) aborts that attempt's items and nothing is completed for it.
 * - `wait` answers (nothing to claim, splits still running elsewhere) are waited out with bounded
 *   back-off, so late speculative copies and retries still find a worker; the loop exits on `done`,
 *   after `idleTimeoutMs` of waiting, before the Lambda deadline, or when stopped.
 */
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { normalizeError } from './errors.js';
import type { Pipeline } from './pipeline.js';
import type { ClaimResponse, TaskManagerExitReason } from './protocol.js';
import type { ItemOutcome, LogFn } from './types.js';
import type { WorkerClient } from './worker-client.js';

export const PULL_LOOP_DEFAULTS = Object.freeze({
  /** Leases held at once: the split being worked on plus the one claimed ahead. */
  maxSplitsInFlight: 2,
  /** Back-off between `wait` answers: starts at the server's retryAfterMs (≥ this), doubles to the max. */
  minWaitMs: 50,
  maxWaitMs: 2_000,
  /** Idle (nothing claimable) this long → exit. Long enough to pick up a retried split after a lease lapses. */
  idleTimeoutMs: 30_000,
  /** Heartbeat interval when the payload names none; well inside the default 30 s lease. */
  heartbeatIntervalMs: 5_000,
  /** Stop claiming this long before a Lambda's deadline so the last split can complete. */
  deadlineMarginMs: 15_000,
});

export interface PullLoopOptions {
  client: WorkerClient;
  pipeline: Pipeline;
  taskManagerId: string;
  /** Items left in the pipeline at which the next split is claimed. */
  lowWaterMark: number;
  keepAlive: { enabled: boolean; intervalMs: number };
  idleTimeoutMs: number;
  /** Epoch ms; stop claiming `deadlineMarginMs` before it. */
  deadlineAtMs?: number;
  signal?: AbortSignal;
  onOutcome?: (outcome: ItemOutcome) => void;
  log?: LogFn;
}

export interface PullLoopResult {
  splits: number;
  exitReason: TaskManagerExitReason;
  errorMessage?: string;
}

export async function runPullLoop(options: PullLoopOptions): Promise<PullLoopResult> {
  const { client, pipeline, taskManagerId, log } = options;
  const inFlight = new Map<string, { done: Promise<void>; abort: AbortController }>();
  let splits = 0;
  let waitMs: number = PULL_LOOP_DEFAULTS.minWaitMs;
  let idleSince: number | null = null;
  let drained = signalOnDrain();
  /**
   * Claim answers that rode on a complete, for the loop to act on (in order) before it claims
   * itself. A riding split stays in `inFlight` until its answer is here: its lease slot passes to
   * the split it claimed, so riding never raises the number of leases held.
   */
  const handed: ClaimResponse[] = [];
  const pastDeadline = () => options.deadlineAtMs !== undefined && Date.now() > options.deadlineAtMs - PULL_LOOP_DEFAULTS.deadlineMarginMs;
  const stopping = () => options.signal?.aborted === true || pastDeadline();

  // Called after every settled item: wakes the loop when the pipeline runs low.
  function signalOnDrain() {
    let wake!: () => void;
    const promise = new Promise<void>((resolve) => (wake = resolve));
    return { promise, wake };
  }
  const onOutcome = (outcome: ItemOutcome) => {
    options.onOutcome?.(outcome);
    if (pipeline.stats().inFlight <= options.lowWaterMark) drained.wake();
  };

  const runSplit = async (claim: Extract<ClaimResponse, { kind: 'split' }>, abort: AbortController) => {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    if (options.keepAlive.enabled) {
      timer = setInterval(() => {
        client.heartbeat({ attemptId: claim.attemptId }).then(
          (answer) => {
            if (answer.kind === 'abandon') {
              log?.('info', 'attempt abandoned', { attemptId: claim.attemptId, reason: answer.reason });
              abort.abort();
            }
          },
          (err: unknown) => log?.('warn', 'heartbeat failed', { attemptId: claim.attemptId, error: normalizeError(err).message }),
        );
      }, options.keepAlive.intervalMs);
      timer.unref();
    }
    try {
      const outcomes = await pipeline.run(claim.items, onOutcome, { signal: abort.signal });
      if (abort.signal.aborted) return;
      const sum = (key: 'fetchMs' | 'preprocessMs' | 'inferMs') => outcomes.reduce((acc, o) => acc + (o[key] ?? 0), 0);
      // This split's slot frees with the answer: claim along if the loop would claim now.
      const claimNext = !stopping() && pipeline.stats().inFlight <= options.lowWaterMark;
      const answer = await client.complete({
        attemptId: claim.attemptId,
        outcomes,
        timings: {
          wallMs: Math.round(performance.now() - started),
          fetchMs: Math.round(sum('fetchMs')),
          preprocessMs: Math.round(sum('preprocessMs')),
          inferMs: Math.round(sum('inferMs')),
        },
        ...(claimNext ? { claimNext: true } : {}),
      });
      splits++;
      if (answer.next !== undefined) handed.push(answer.next);
      if (answer.kind === 'discarded') log?.('info', 'split outcomes discarded', { attemptId: claim.attemptId, reason: answer.reason });
    } catch (err) {
      // The lease lapses and the split is handed out again: nothing is lost, so keep pulling.
      log?.('warn', 'split not completed', { attemptId: claim.attemptId, error: normalizeError(err).message });
    } finally {
      if (timer !== undefined) clearInterval(timer);
    }
  };

  const stop = (reason: TaskManagerExitReason, errorMessage?: string): PullLoopResult => {
    const result: PullLoopResult = { splits: 0, exitReason: reason };
    if (errorMessage !== undefined) result.errorMessage = errorMessage;
    return result;
  };

  const stopped = aborted(options.signal); // one listener for the whole loop
  let result: PullLoopResult;
  for (;;) {
    if (options.signal?.aborted) {
      result = stop('STOPPED');
      break;
    }
    if (pastDeadline()) {
      result = stop('DEADLINE');
      break;
    }
    // Claimed along with a complete: act on it as on our own claim.
    let claim: ClaimResponse | undefined = handed.shift();
    if (claim === undefined) {
      // Claim ahead only when the pipeline runs low and we hold fewer leases than the limit.
      const held = inFlight.size;
      if (held >= PULL_LOOP_DEFAULTS.maxSplitsInFlight || (held > 0 && pipeline.stats().inFlight > options.lowWaterMark)) {
        drained = signalOnDrain();
        await Promise.race([drained.promise, ...[...inFlight.values()].map((s) => s.done), stopped]);
        continue;
      }
      try {
        claim = await client.claim({ taskManagerId });
      } catch (err) {
        result = stop('ERROR', `claim failed: ${normalizeError(err).message}`);
        break;
      }
    }
    if (claim.kind === 'done') {
      result = stop('JOB_DONE');
      break;
    }
    if (claim.kind === 'split') {
      idleSince = null;
      waitMs = PULL_LOOP_DEFAULTS.minWaitMs;
      const abort = new AbortController();
      setMaxListeners(0, abort.signal); // every item of the split listens for an abandon
      const done = runSplit(claim, abort).finally(() => inFlight.delete(claim.attemptId));
      inFlight.set(claim.attemptId, { done, abort });
      continue;
    }
    // wait: our own splits may be what is still running; otherwise back off until idle too long.
    if (inFlight.size === 0) {
      idleSince ??= performance.now();
      if (performance.now() - idleSince > options.idleTimeoutMs) {
        result = stop('IDLE');
        break;
      }
    }
    const delay = Math.min(Math.max(claim.retryAfterMs, waitMs), PULL_LOOP_DEFAULTS.maxWaitMs);
    waitMs = Math.min(waitMs * 2, PULL_LOOP_DEFAULTS.maxWaitMs);
    await Promise.race([sleep(delay), ...[...inFlight.values()].map((s) => s.done), stopped]);
  }

  // The job is over or we are stopping: attempts still running are abandoned only when the
  // orchestrator said so (done) or we were stopped; otherwise they finish and complete.
  if (result.exitReason === 'JOB_DONE' || result.exitReason === 'STOPPED') {
    for (const s of inFlight.values()) s.abort.abort();
  }
  await Promise.allSettled([...inFlight.values()].map((s) => s.done));
  result.splits = splits;
  return result;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function aborted(signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return new Promise(() => undefined);
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
