/**
 * The long-lived pipeline: fetch → preprocess → infer, joined by bounded queues so the stages
 * overlap and memory stays bounded. Several `run` calls may be in flight at once; their items go
 * through the same stages in call order (a run's items are queued after those of earlier runs),
 * so a caller can hand over the next split before the current one drains.
 *
 * Every item ends with exactly one outcome: each stage either passes the item on or settles it
 * with an error; the `settled` flag makes a second settle a no-op.
 *
 * Shutdown: close() refuses new runs, lets accepted ones finish, then closes the queues one after
 * the other (runs → input → fetched → tensors) as each stage's workers drain and exit.
 */
import { performance } from 'node:perf_hooks';
import { compileTaskManagerConfig, type TaskManagerConfigInput } from './config.js';
import { ItemErrorCode, normalizeError, OffsampleError, TaskErrorCode } from './errors.js';
import { createFetcher, type FetcherDeps } from './fetch/fetcher.js';
import type { ItemPrediction, LoadedModel } from './infer.js';
import { createSessionPool, type InferenceSlot, type SessionPool } from './session-pool.js';
import { preprocessImage } from './preprocess.js';
import { PROTOCOL_LIMITS } from './protocol.js';
import { BoundedQueue } from './queue.js';
import type { ItemOutcome, LogFn, WorkItem } from './types.js';

export interface PipelineDeps extends FetcherDeps {
  log?: LogFn;
  /**
   * Sessions to use instead of loading the model again (e.g. kept across warm Lambda invocations).
   * A passed-in pool is not released by close(); one the pipeline created is.
   */
  sessionPool?: SessionPool;
}

export interface RunOptions {
  /** Abort the run: items not yet inferred end as CANCELLED; in-flight downloads are aborted. */
  signal?: AbortSignal;
}

export interface PipelineStats {
  /** Items settled with a label / with an error record (the worker protocol's report counts). */
  items: number;
  errors: number;
  /** `session.run` calls (batches, plus single-item retries of failed batches). */
  batches: number;
  /** Time with at least one accepted item not yet settled (monotonic clock). */
  busyMs: number;
  /** Items accepted by run() and not yet settled. */
  inFlight: number;
}

export interface Pipeline {
  /** Outcomes in input order; `onOutcome` sees each one as it is settled (completion order). */
  run(items: readonly WorkItem[], onOutcome?: (outcome: ItemOutcome) => void, options?: RunOptions): Promise<ItemOutcome[]>;
  stats(): PipelineStats;
  /** Finish accepted runs, stop the stages, free sockets (and sessions the pipeline loaded). */
  close(): Promise<void>;
}

interface RunState {
  outcomes: Array<ItemOutcome | undefined>;
  remaining: number;
  onOutcome: ((outcome: ItemOutcome) => void) | undefined;
  signal: AbortSignal | undefined;
  resolve: (outcomes: ItemOutcome[]) => void;
  entries: Entry[];
}

interface Entry {
  run: RunState;
  slot: number;
  item: WorkItem;
  settled: boolean;
  fetchMs: number | null;
  preprocessMs: number | null;
}

interface Fetched {
  entry: Entry;
  bytes: Buffer;
}

interface Prepared {
  entry: Entry;
  tensor: Float32Array;
}

const round = (ms: number) => Math.round(ms * 100) / 100;

export async function createPipeline(configInput: TaskManagerConfigInput, model: LoadedModel, deps: PipelineDeps = {}): Promise<Pipeline> {
  const config = compileTaskManagerConfig(configInput);
  const log: LogFn = deps.log ?? (() => undefined);
  const ownsPool = deps.sessionPool === undefined;
  const pool = deps.sessionPool ?? (await createSessionPool(model, config.predict));
  if (pool.model.modelPath !== model.modelPath) {
    throw new OffsampleError(TaskErrorCode.MODEL_LOAD_FAILED, `session pool was loaded from ${pool.model.modelPath}, not ${model.modelPath}`);
  }
  const fetcher = createFetcher(config.load, deps);
  const manifest = model.manifest;
  const maxBatch = Math.min(config.predict.batchSize, pool.fixedBatch ?? Infinity);

  const runsQ = new BoundedQueue<RunState>(Number.MAX_SAFE_INTEGER);
  const inputQ = new BoundedQueue<Entry>(config.queues.inputCapacity);
  const fetchedQ = new BoundedQueue<Fetched>(config.queues.fetchedCapacity);
  const tensorQ = new BoundedQueue<Prepared>(config.queues.tensorCapacity);

  let closed = false;
  let closing: Promise<void> | undefined;
  let inFlight = 0;
  let busySince = 0;
  let busyMs = 0;
  let items = 0;
  let errors = 0;
  let batches = 0;

  function settle(entry: Entry, outcome: ItemOutcome): void {
    if (entry.settled) return;
    entry.settled = true;
    const run = entry.run;
    run.outcomes[entry.slot] = outcome;
    if (outcome.errorCode !== null) errors++;
    else items++;
    if (--inFlight === 0) busyMs += performance.now() - busySince;
    if (run.onOutcome !== undefined) {
      try {
        run.onOutcome(outcome);
      } catch (err) {
        log('warn', 'onOutcome callback threw', { error: normalizeError(err).message });
      }
    }
    if (--run.remaining === 0) run.resolve(run.outcomes as ItemOutcome[]);
  }

  function fail(entry: Entry, err: unknown): void {
    const e = normalizeError(err);
    settle(entry, {
      index: entry.item.index,
      input: entry.item.input,
      label: null,
      probabilities: null,
      errorCode: e.code,
      errorMessage: truncate(e.message),
      fetchMs: entry.fetchMs,
      preprocessMs: entry.preprocessMs,
      inferMs: null,
    });
  }

  /** Settles a cancelled entry and says so, so stages skip work nobody will use. */
  function dropIfCancelled(entry: Entry): boolean {
    if (entry.run.signal?.aborted !== true) return false;
    fail(entry, new OffsampleError(ItemErrorCode.CANCELLED, 'run cancelled'));
    return true;
  }

  async function feeder(): Promise<void> {
    for (let run = await runsQ.shift(); run !== undefined; run = await runsQ.shift()) {
      for (const entry of run.entries) {
        if (!dropIfCancelled(entry)) await inputQ.push(entry);
      }
    }
  }

  async function fetchWorker(): Promise<void> {
    for (let entry = await inputQ.shift(); entry !== undefined; entry = await inputQ.shift()) {
      if (dropIfCancelled(entry)) continue;
      const started = performance.now();
      let bytes: Buffer;
      try {
        if (typeof entry.item.input !== 'string') throw new OffsampleError(ItemErrorCode.BAD_INPUT, 'input is not a string');
        bytes = await fetcher.fetch(entry.item.input, entry.run.signal);
      } catch (err) {
        entry.fetchMs = round(performance.now() - started);
        fail(entry, err);
        continue;
      }
      entry.fetchMs = round(performance.now() - started);
      await fetchedQ.push({ entry, bytes });
    }
  }

  async function preprocessWorker(): Promise<void> {
    for (let job = await fetchedQ.shift(); job !== undefined; job = await fetchedQ.shift()) {
      const { entry } = job;
      if (dropIfCancelled(entry)) continue;
      const started = performance.now();
      let tensor: Float32Array;
      try {
        tensor = await preprocessImage(job.bytes, manifest, config.preprocess.limitInputPixels);
      } catch (err) {
        entry.preprocessMs = round(performance.now() - started);
        fail(entry, err);
        continue;
      }
      entry.preprocessMs = round(performance.now() - started);
      await tensorQ.push({ entry, tensor });
    }
  }

  async function inferWorker(slot: InferenceSlot): Promise<void> {
    const onRun = (size: number, error?: OffsampleError) => {
      batches++;
      if (error !== undefined && size > 1) log('warn', 'batch failed, retrying its items one by one', { size, error: error.message });
    };
    for (let first = await tensorQ.shift(); first !== undefined; first = await tensorQ.shift()) {
      // Take what is waiting right now, never wait for a full batch.
      const batch = [first];
      while (batch.length < maxBatch) {
        const next = tensorQ.tryShift();
        if (next === undefined) break;
        batch.push(next);
      }
      const live = batch.filter((p) => !dropIfCancelled(p.entry));
      if (live.length === 0) continue;
      let results: ItemPrediction[];
      try {
        results = await slot.predictEach(
          live.map((p) => p.tensor),
          onRun,
        );
      } catch (err) {
        for (const { entry } of live) fail(entry, err);
        continue;
      }
      live.forEach(({ entry }, i) => {
        const r = results[i];
        if (r === undefined) fail(entry, new OffsampleError(ItemErrorCode.INTERNAL, 'no inference result'));
        else if (!r.ok) fail(entry, r.error);
        else
          settle(entry, {
            index: entry.item.index,
            input: entry.item.input,
            label: r.prediction.label,
            probabilities: r.prediction.probabilities,
            errorCode: null,
            errorMessage: null,
            fetchMs: entry.fetchMs,
            preprocessMs: entry.preprocessMs,
            inferMs: round(r.inferMs),
          });
      });
    }
  }

  // A worker loop must never die with items still queued: log and keep the stage alive.
  function guarded(name: string, loop: () => Promise<void>): Promise<void> {
    return loop().catch((err: unknown) => {
      log('error', `${name} stopped unexpectedly`, { error: normalizeError(err).message });
    });
  }

  const feederDone = guarded('feeder', feeder).then(() => inputQ.close());
  const fetchDone = Promise.all(Array.from({ length: config.load.maxConcurrency }, () => guarded('fetch worker', fetchWorker))).then(() =>
    fetchedQ.close(),
  );
  const preprocessDone = Promise.all(Array.from({ length: config.preprocess.concurrency }, () => guarded('preprocess worker', preprocessWorker))).then(
    () => tensorQ.close(),
  );
  const inferDone = Promise.all(pool.slots.map((s) => guarded('infer worker', () => inferWorker(s))));
  const allDone = Promise.all([feederDone, fetchDone, preprocessDone, inferDone]);

  function run(workItems: readonly WorkItem[], onOutcome?: (outcome: ItemOutcome) => void, options: RunOptions = {}): Promise<ItemOutcome[]> {
    if (closed) return Promise.reject(new OffsampleError(TaskErrorCode.PIPELINE_CLOSED, 'pipeline is closed'));
    if (workItems.length === 0) return Promise.resolve([]);
    return new Promise<ItemOutcome[]>((resolve) => {
      const state: RunState = {
        outcomes: new Array<ItemOutcome | undefined>(workItems.length),
        remaining: workItems.length,
        onOutcome,
        signal: options.signal,
        resolve,
        entries: [],
      };
      state.entries = workItems.map((item, slot) => ({ run: state, slot, item, settled: false, fetchMs: null, preprocessMs: null }));
      if (inFlight === 0) busySince = performance.now();
      inFlight += workItems.length;
      void runsQ.push(state);
    });
  }

  return {
    run,
    stats: () => ({
      items,
      errors,
      batches,
      busyMs: round(busyMs + (inFlight > 0 ? performance.now() - busySince : 0)),
      inFlight,
    }),
    close() {
      closing ??= (async () => {
        closed = true;
        runsQ.close();
        await allDone;
        fetcher.close();
        if (ownsPool) await pool.release();
      })();
      return closing;
    },
  };
}

// The worker protocol caps error messages; a decoder's message can be long (e.g. an SVG parse error).
function truncate(message: string): string {
  const max = PROTOCOL_LIMITS.maxErrorMessageChars;
  return message.length <= max ? message : `${message.slice(0, max - 1)}…`;
}
