/**
 * runTaskManager(payload, deps): what a Lambda handler or a child-process entrypoint calls.
 * Shared set-up (validate payload and config, load the model, build the pipeline) is separate
 * from the per-mode loop, so the dynamic (pull) mode is one more branch.
 *
 * Inference sessions are cached in the module across calls: a warm Lambda (or a child reused
 * for several payloads) does not load the model again. The first load in a process is the
 * cold start.
 */
import { performance } from 'node:perf_hooks';
import type { S3Client } from '@aws-sdk/client-s3';
import { defaultModelDir, loadModel } from '@offsample/model';
import { compileTaskManagerConfig, type TaskManagerConfig } from './config.js';
import { normalizeError, OffsampleError, TaskErrorCode } from './errors.js';
import type { LoadedModel } from './infer.js';
import { createSessionPool, type SessionPool } from './session-pool.js';
import {
  parseTaskManagerPayload,
  type DynamicTaskManagerPayload,
  type StaticTaskManagerPayload,
  type TaskManagerPayload,
} from './payload.js';
import type { TaskManagerExitReason } from './protocol.js';
import { PULL_LOOP_DEFAULTS, runPullLoop } from './pull-loop.js';
import { createWorkerClient, type WorkerClient, type WorkerClientOptions } from './worker-client.js';
import { createPipeline, type Pipeline } from './pipeline.js';
import type { ItemOutcome, LogFn, NowFn } from './types.js';

export interface TaskManagerDeps {
  /** Called for each item as it finishes (completion order). */
  onOutcome?: (outcome: ItemOutcome) => void;
  /** Client for s3:// inputs and bucket keys (endpoint, credentials); default `new S3Client({})`. */
  s3Client?: S3Client;
  log?: LogFn;
  /** Wall clock for startedAt / endedAt (durations use the monotonic clock). */
  now?: NowFn;
  /** Stops a dynamic task manager (SIGTERM in a child, shutdown in a test): it abandons its attempts. */
  signal?: AbortSignal;
  /** Worker client factory (dynamic mode); default `createWorkerClient`. */
  createClient?: (options: WorkerClientOptions) => WorkerClient;
}

/**
 * Wire-ready: the same fields (dates as ISO strings) as the worker protocol's ReportRequest, so
 * `ReportRequestSchema.decode(report)` accepts it.
 */
export interface TaskManagerReport {
  taskManagerId: string;
  /** Items finished with a label / with an error record. */
  items: number;
  errors: number;
  /** Splits run (1 in static mode). */
  splits: number;
  /** Time with at least one item in the pipeline. */
  busyMs: number;
  /** Lifetime minus busy time minus model load. */
  idleMs: number;
  /** First model load in this process. */
  coldStart: boolean;
  /** ISO 8601. */
  startedAt: string;
  endedAt: string;
  /** Reading the manifest and creating the sessions; 0 when cached sessions were reused. */
  modelLoadMs: number;
  /** Peak resident set size of this process so far. */
  peakRssBytes: number;
  /** Why it stopped (dynamic mode). */
  exitReason?: TaskManagerExitReason;
  errorMessage?: string;
}

export interface TaskManagerResult {
  /** Static mode: in split order, one per item. Dynamic mode: empty (outcomes went to the endpoint). */
  outcomes: ItemOutcome[];
  report: TaskManagerReport;
}

interface CachedPool {
  key: string;
  pool: Promise<SessionPool>;
  users: number;
}

let cached: CachedPool | undefined;
let modelLoadedOnce = false;

async function acquireSessions(model: LoadedModel, config: TaskManagerConfig): Promise<{ pool: SessionPool; release: () => void; loaded: boolean }> {
  const key = JSON.stringify([model.modelPath, config.predict.sessions, config.predict.intraOpThreads, config.predict.allowSpinning, config.predict.runner]);
  let loaded = false;
  if (cached?.key !== key) {
    const previous = cached;
    if (previous !== undefined && previous.users === 0) void previous.pool.then((p) => p.release()).catch(() => undefined);
    const entry: CachedPool = { key, pool: createSessionPool(model, config.predict), users: 0 };
    cached = entry;
    loaded = true;
    entry.pool.catch(() => {
      if (cached === entry) cached = undefined; // let the next call try again
    });
  }
  const entry = cached;
  entry.users++;
  try {
    const pool = await entry.pool;
    return { pool, release: () => void entry.users--, loaded };
  } catch (err) {
    entry.users--;
    throw err;
  }
}

/** Release the cached inference sessions (for tests and clean process shutdown). */
export async function releaseCachedSessions(): Promise<void> {
  const entry = cached;
  cached = undefined;
  if (entry !== undefined) await (await entry.pool.catch(() => undefined))?.release();
}

interface Prepared {
  payload: TaskManagerPayload;
  config: TaskManagerConfig;
  pipeline: Pipeline;
  coldStart: boolean;
  modelLoadMs: number;
  releaseSessions: () => void;
}

async function prepare(payload: TaskManagerPayload, deps: TaskManagerDeps): Promise<Prepared> {
  const config = compileTaskManagerConfig(payload.config);
  const loadStarted = performance.now();
  let model: LoadedModel;
  try {
    model = await loadModel(payload.model?.dir ?? defaultModelDir());
  } catch (err) {
    throw new OffsampleError(TaskErrorCode.MODEL_LOAD_FAILED, normalizeError(err).message, { cause: err });
  }
  const sessions = await acquireSessions(model, config);
  const coldStart = sessions.loaded && !modelLoadedOnce;
  if (sessions.loaded) modelLoadedOnce = true;
  const modelLoadMs = sessions.loaded ? Math.round(performance.now() - loadStarted) : 0;
  try {
    const pipeline = await createPipeline(config, model, {
      sessionPool: sessions.pool,
      s3Client: deps.s3Client,
      bucket: payload.bucket,
      log: deps.log,
    });
    return { payload, config, pipeline, coldStart, modelLoadMs, releaseSessions: sessions.release };
  } catch (err) {
    sessions.release();
    throw err;
  }
}

async function runStatic(prepared: Prepared, payload: StaticTaskManagerPayload, deps: TaskManagerDeps): Promise<ItemOutcome[]> {
  deps.log?.('info', 'static split started', { jobId: payload.jobId, splitId: payload.split.splitId, items: payload.split.items.length });
  return prepared.pipeline.run(payload.split.items, deps.onOutcome);
}

async function runDynamic(
  prepared: Prepared,
  payload: DynamicTaskManagerPayload,
  deps: TaskManagerDeps,
  client: WorkerClient,
): Promise<{ splits: number; exitReason: TaskManagerExitReason; errorMessage?: string }> {
  const config = prepared.config;
  deps.log?.('info', 'dynamic task manager started', { jobId: payload.jobId, taskManagerId: payload.taskManagerId });
  const loop: Parameters<typeof runPullLoop>[0] = {
    client,
    pipeline: prepared.pipeline,
    taskManagerId: payload.taskManagerId,
    // Enough queued work to keep every stage busy while the next claim round-trips.
    lowWaterMark: Math.max(config.load.maxConcurrency, config.predict.batchSize * 2),
    keepAlive: payload.keepAlive ?? { enabled: true, intervalMs: PULL_LOOP_DEFAULTS.heartbeatIntervalMs },
    idleTimeoutMs: payload.idleTimeoutMs ?? PULL_LOOP_DEFAULTS.idleTimeoutMs,
  };
  if (payload.deadlineAt !== undefined) loop.deadlineAtMs = Date.parse(payload.deadlineAt);
  if (deps.signal !== undefined) loop.signal = deps.signal;
  if (deps.onOutcome !== undefined) loop.onOutcome = deps.onOutcome;
  if (deps.log !== undefined) loop.log = deps.log;
  return runPullLoop(loop);
}

export async function runTaskManager(rawPayload: unknown, deps: TaskManagerDeps = {}): Promise<TaskManagerResult> {
  const now = deps.now ?? Date.now;
  const startedAt = now();
  const started = performance.now();
  const payload = parseTaskManagerPayload(rawPayload);
  const prepared = await prepare(payload, deps);
  let outcomes: ItemOutcome[] = [];
  let splits = 0;
  let exit: { exitReason: TaskManagerExitReason; errorMessage?: string } | undefined;
  let client: WorkerClient | undefined;
  try {
    switch (payload.mode) {
      case 'static':
        outcomes = await runStatic(prepared, payload, deps);
        splits = 1;
        break;
      case 'dynamic': {
        const clientOptions: WorkerClientOptions = { url: payload.endpoint.url, token: payload.endpoint.token };
        client = (deps.createClient ?? createWorkerClient)(clientOptions);
        const loop = await runDynamic(prepared, payload, deps, client);
        splits = loop.splits;
        exit = loop.errorMessage === undefined ? { exitReason: loop.exitReason } : { exitReason: loop.exitReason, errorMessage: loop.errorMessage };
        break;
      }
    }
  } finally {
    await prepared.pipeline.close();
    prepared.releaseSessions();
  }
  const stats = prepared.pipeline.stats();
  const lifetimeMs = performance.now() - started;
  const busyMs = Math.round(stats.busyMs);
  const result: TaskManagerResult = {
    outcomes,
    report: {
      taskManagerId: payload.taskManagerId,
      items: stats.items,
      errors: stats.errors,
      splits,
      busyMs,
      idleMs: Math.max(0, Math.round(lifetimeMs) - busyMs - prepared.modelLoadMs),
      coldStart: prepared.coldStart,
      startedAt: new Date(startedAt).toISOString(),
      endedAt: new Date(now()).toISOString(),
      modelLoadMs: prepared.modelLoadMs,
      peakRssBytes: process.resourceUsage().maxRSS * 1024, // maxRSS is in kilobytes
      ...exit,
    },
  };
  if (client !== undefined) {
    // The final report feeds the job summary (busy / idle time, cold starts); losing it loses no inputs.
    const r = result.report;
    await client.report({ ...r, startedAt: new Date(r.startedAt), endedAt: new Date(r.endedAt) }).catch((err: unknown) => {
      deps.log?.('warn', 'final report not delivered', { error: normalizeError(err).message });
    });
  }
  return result;
}
