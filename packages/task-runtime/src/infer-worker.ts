/**
 * The `worker` runner (config.predict.runner): one worker thread per session. onnxruntime-node
 * 1.30 runs `session.run` synchronously on the thread that calls it, so in the main thread a batch
 * blocks fetching and decoding for its whole duration (~150–400 ms for a ResNet-50 batch of 8) and
 * two sessions only take turns. In a worker, the event loop keeps feeding the pipeline and
 * `predict.sessions` sessions infer at the same time.
 *
 * This one file is both sides: the main thread starts it with its own URL, and at load time the
 * worker side recognises its `workerData` marker and serves requests. (A bundle that inlines this
 * module, like the Lambda one, starts the bundle itself as the worker, which works the same way.)
 *
 * Protocol, per request (main → worker): `{ id, kind, data, n }` with `data` the packed batch,
 * transferred (not copied); the worker answers `{ id, runs, items | error }` (the runs replayed
 * into the caller's `onRun`). Startup: the worker answers `{ type: 'ready', fixedBatch }` or
 * `{ type: 'load-failed', code, message }`. Both directions are checked with zod.
 *
 * Lifecycle: a worker that dies (uncaught error, terminate(), out of memory) fails its in-flight
 * requests with INFERENCE_FAILED and is started again on the next request; release() waits for
 * the batches in flight, then terminates it. An idle worker is unref'd, so it never keeps a
 * finished process alive.
 */
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { z } from 'zod';
import { ItemErrorCode, normalizeError, OffsampleError, TaskErrorCode, type ErrorCode } from './errors.js';
import { loadSession, predictPacked, runPacked, type ItemPrediction, type LoadedModel, type OnRun, type Prediction, type SessionSettings } from './infer.js';

const MARKER = 'offsample-infer-worker/1';

interface WorkerInit {
  marker: typeof MARKER;
  model: LoadedModel;
  settings: SessionSettings;
}

export type RequestKind = 'batch' | 'each';

const PredictionSchema = z.object({ label: z.string(), probabilities: z.array(z.number()) });
const WireErrorSchema = z.object({ code: z.string(), message: z.string() });
const ReadySchema = z.union([
  z.object({ type: z.literal('ready'), fixedBatch: z.number().int().positive().optional() }),
  z.object({ type: z.literal('load-failed'), code: z.string(), message: z.string() }),
]);
const RequestSchema = z.object({ id: z.number().int(), kind: z.enum(['batch', 'each']), data: z.instanceof(Float32Array), n: z.number().int().positive() });
const ReplySchema = z.object({
  id: z.number().int(),
  runs: z.array(z.object({ size: z.number().int(), error: WireErrorSchema.optional() })),
  items: z
    .array(z.union([z.object({ ok: z.literal(true), prediction: PredictionSchema, inferMs: z.number() }), z.object({ ok: z.literal(false), error: WireErrorSchema, inferMs: z.number() })]))
    .optional(),
  predictions: z.array(PredictionSchema).optional(),
  error: WireErrorSchema.optional(),
});
type Reply = z.infer<typeof ReplySchema>;

const toWire = (e: OffsampleError) => ({ code: e.code, message: e.message });
const fromWire = (e: { code: string; message: string }) => new OffsampleError(e.code as ErrorCode, e.message);

// ───────────────────────────── worker side ─────────────────────────────

async function serve(init: WorkerInit): Promise<void> {
  const port = parentPort!;
  let loaded: Awaited<ReturnType<typeof loadSession>>;
  try {
    loaded = await loadSession(init.model, init.settings);
  } catch (err) {
    const e = normalizeError(err);
    port.postMessage({ type: 'load-failed', code: e.code, message: e.message });
    return;
  }
  const { session, fixedBatch } = loaded;
  const manifest = init.model.manifest;
  port.on('message', (raw: unknown) => {
    void (async () => {
      const parsed = RequestSchema.safeParse(raw);
      const id = typeof (raw as { id?: unknown })?.id === 'number' ? (raw as { id: number }).id : -1;
      const runs: Reply['runs'] = [];
      const onRun: OnRun = (size, error) => runs.push(error === undefined ? { size } : { size, error: toWire(error) });
      let reply: Reply;
      try {
        if (!parsed.success) throw new OffsampleError(ItemErrorCode.INTERNAL, `bad inference request: ${parsed.error.message}`);
        const { kind, data, n } = parsed.data;
        if (kind === 'batch') {
          reply = { id, runs, predictions: await runPacked(session, manifest, data, n) };
        } else {
          const items = await predictPacked(session, manifest, fixedBatch, data, n, onRun);
          reply = { id, runs, items: items.map((r) => (r.ok ? r : { ok: false as const, error: toWire(r.error), inferMs: r.inferMs })) };
        }
      } catch (err) {
        reply = { id, runs, error: toWire(normalizeError(err)) };
      }
      port.postMessage(reply);
    })();
  });
  port.postMessage(fixedBatch === undefined ? { type: 'ready' } : { type: 'ready', fixedBatch });
}

const init = workerData as Partial<WorkerInit> | null;
if (!isMainThread && init?.marker === MARKER) void serve(init as WorkerInit);

// ───────────────────────────── main side ─────────────────────────────

/** This module's own file; run from TypeScript sources (vitest, tsx) the worker loads the built copy. */
function workerUrl(): URL {
  const here = new URL(import.meta.url);
  return here.pathname.endsWith('.ts') ? new URL(here.href.replace(/\/src\/([^/]+)\.ts$/, '/dist/$1.js')) : here;
}

interface Pending {
  resolve: (reply: Reply) => void;
  reject: (err: OffsampleError) => void;
}

export interface WorkerSession {
  readonly fixedBatch: number | undefined;
  /** The live worker thread, if one is running (diagnostics and tests; terminating it counts as a crash). */
  readonly thread: Worker | undefined;
  /** One request; rejects with INFERENCE_FAILED if the worker dies or cannot be started. */
  request(kind: 'batch', data: Float32Array, n: number): Promise<Prediction[]>;
  request(kind: 'each', data: Float32Array, n: number, onRun: OnRun): Promise<ItemPrediction[]>;
  release(): Promise<void>;
}

/** Starts a worker, waits until its session is loaded; MODEL_LOAD_FAILED when it cannot be. */
export async function startWorkerSession(model: LoadedModel, settings: SessionSettings): Promise<WorkerSession> {
  const workerInit: WorkerInit = { marker: MARKER, model, settings };
  const pending = new Map<number, Pending>();
  /** One promise per request in flight, settled when its reply (or the worker's death) comes. */
  const inflight = new Set<Promise<void>>();
  let nextId = 0;
  let released = false;
  let live: Worker | undefined;
  let starting: Promise<Worker> | undefined;
  /** The graph's fixed batch dimension, as the worker's ready message announced it. */
  let fixedBatch: number | undefined;

  function spawn(): Promise<Worker> {
    return new Promise<Worker>((resolve, reject) => {
      // No execArgv: the worker loads built JavaScript and needs none of the parent's flags
      // (some, like --input-type, would even stop it from starting).
      const worker = new Worker(fileURLToPath(workerUrl()), { workerData: workerInit, execArgv: [] });
      let ready = false;
      let crash: string | undefined;
      worker.on('message', (raw: unknown) => {
        if (!ready) {
          const msg = ReadySchema.safeParse(raw);
          if (!msg.success || msg.data.type === 'load-failed') {
            const m = msg.success && msg.data.type === 'load-failed' ? msg.data : { code: TaskErrorCode.MODEL_LOAD_FAILED, message: 'inference worker sent a bad ready message' };
            void worker.terminate();
            reject(new OffsampleError(m.code as ErrorCode, m.message));
            return;
          }
          ready = true;
          fixedBatch = msg.data.fixedBatch;
          worker.unref();
          resolve(worker);
          return;
        }
        const reply = ReplySchema.safeParse(raw);
        const rawId = (raw as { id?: unknown } | null)?.id;
        const id = reply.success ? reply.data.id : typeof rawId === 'number' ? rawId : undefined;
        // A reply nobody can be matched to must not leave its request waiting forever: fail them all.
        const owners = id !== undefined && pending.has(id) ? [id] : reply.success ? [] : [...pending.keys()];
        for (const owner of owners) {
          const p = pending.get(owner)!;
          pending.delete(owner);
          if (reply.success) p.resolve(reply.data);
          else p.reject(new OffsampleError(ItemErrorCode.INFERENCE_FAILED, `inference worker sent a bad reply: ${reply.error.message}`));
        }
        if (pending.size === 0) worker.unref();
      });
      worker.on('error', (err) => {
        crash = err.message;
      });
      worker.on('exit', (code) => {
        if (live === worker) live = undefined;
        const why = released ? 'session pool released' : `inference worker stopped (exit code ${code}${crash === undefined ? '' : `: ${crash}`})`;
        if (!ready) reject(new OffsampleError(TaskErrorCode.MODEL_LOAD_FAILED, why));
        for (const [id, p] of pending) {
          pending.delete(id);
          p.reject(new OffsampleError(ItemErrorCode.INFERENCE_FAILED, why));
        }
      });
    });
  }

  async function current(): Promise<Worker> {
    if (live !== undefined) return live;
    starting ??= spawn().finally(() => (starting = undefined));
    live = await starting;
    return live;
  }

  await current();

  async function send(kind: RequestKind, data: Float32Array, n: number): Promise<Reply> {
    let worker: Worker;
    try {
      worker = await current();
    } catch (err) {
      throw new OffsampleError(ItemErrorCode.INFERENCE_FAILED, `cannot restart the inference worker: ${normalizeError(err).message}`, { cause: err });
    }
    const id = nextId++;
    const replied = new Promise<Reply>((resolve, reject) => pending.set(id, { resolve, reject }));
    if (pending.size === 1) worker.ref();
    // packBatch made `data` (it owns its whole buffer): hand the buffer over instead of copying it.
    worker.postMessage({ id, kind, data, n }, [data.buffer as ArrayBuffer]);
    return replied;
  }

  async function request(kind: RequestKind, data: Float32Array, n: number, onRun?: OnRun): Promise<Prediction[] | ItemPrediction[]> {
    if (released) throw new OffsampleError(ItemErrorCode.INFERENCE_FAILED, 'session pool released');
    const sent = send(kind, data, n);
    // Counted from the start (a restart included), so release() waits for it.
    const settled = sent.then(
      () => undefined,
      () => undefined,
    );
    inflight.add(settled);
    void settled.then(() => inflight.delete(settled));
    const reply = await sent;
    for (const run of reply.runs) onRun?.(run.size, run.error === undefined ? undefined : fromWire(run.error));
    if (reply.error !== undefined) throw fromWire(reply.error);
    if (kind === 'batch') return reply.predictions ?? [];
    return (reply.items ?? []).map((r) => (r.ok ? r : { ok: false as const, error: fromWire(r.error), inferMs: r.inferMs }));
  }

  return {
    get fixedBatch() {
      return fixedBatch;
    },
    get thread() {
      return live;
    },
    request: request as WorkerSession['request'],
    async release() {
      released = true;
      // Let batches in flight finish first: terminating a worker inside session.run aborts the
      // whole process (onnxruntime-node's binding throws a C++ Napi::Error into a dying isolate).
      while (inflight.size > 0) await Promise.all([...inflight]);
      const worker = live ?? (await starting?.catch(() => undefined));
      if (worker !== undefined) await worker.terminate();
    },
  };
}
