/**
 * The `jobProgress` source: one snapshot at once, then one at least every `intervalMs` while the
 * job is queued or running, one early whenever the job's status changes, and a final one when the
 * job has ended — then the stream completes. `return()` (the client unsubscribed) stops the polling
 * and the status listener immediately.
 */
import { JobStatus } from './schema/enums.js';
import type { GatewayEvents } from './context.js';
import type { GatewayOrchestrator, ProgressSnapshot } from './ports.js';
import type { PubSub } from './pubsub.js';

const FINAL: ReadonlySet<string> = new Set([JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED]);

export function isFinalStatus(status: string): boolean {
  return FINAL.has(status);
}

export function progressStream(
  deps: { orchestrator: GatewayOrchestrator; events: PubSub<GatewayEvents> },
  jobId: string,
  intervalMs: number,
  first: ProgressSnapshot | null = null,
): AsyncIterableIterator<ProgressSnapshot> {
  const stop = new AbortController();
  const gen = loop();

  async function* loop(): AsyncGenerator<ProgressSnapshot, void, undefined> {
    const statusChanges = deps.events.subscribe('jobStatus', (e) => e.jobId === jobId);
    let nextChange: Promise<unknown> | null = null;
    try {
      let snapshot = first ?? (await deps.orchestrator.getProgress(jobId));
      while (snapshot && !stop.signal.aborted) {
        yield snapshot;
        if (isFinalStatus(snapshot.status)) return;
        // Keep the same pending next() across rounds so no status event is swallowed.
        nextChange ??= statusChanges.next().then(() => (nextChange = null));
        await waitFor(intervalMs, stop.signal, nextChange);
        if (stop.signal.aborted) return;
        snapshot = await pollWithRetries(() => deps.orchestrator.getProgress(jobId), intervalMs, stop.signal);
      }
    } finally {
      await statusChanges.return();
    }
  }

  return {
    next: () => gen.next(),
    return: () => {
      stop.abort();
      return gen.return(undefined);
    },
    throw: (err: unknown) => {
      stop.abort();
      return gen.throw(err);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/**
 * A failed poll (a database blip) is retried every `intervalMs` rather than ending the client's
 * stream; only `MAX_FAILED_POLLS` failures in a row end it with the error.
 */
const MAX_FAILED_POLLS = 5;

async function pollWithRetries<T>(poll: () => T | Promise<T>, intervalMs: number, signal: AbortSignal): Promise<T> {
  for (let failures = 1; ; failures++) {
    try {
      return await poll();
    } catch (err) {
      if (failures >= MAX_FAILED_POLLS || signal.aborted) throw err;
      await waitFor(intervalMs, signal, new Promise<never>(() => {}));
    }
  }
}

/** Resolves after `ms`, on abort, or when `wake` settles — whichever comes first. */
function waitFor(ms: number, signal: AbortSignal, wake: Promise<unknown>): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    wake.then(done, done);
  });
}
