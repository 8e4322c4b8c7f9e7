/**
 * Frozen defaults of `npm run bench`, with units in the names and where each number comes from.
 * `compileBenchOptions()` (options.ts) fills what the command line leaves out from here.
 */
export const BENCH_DEFAULTS = Object.freeze({
  /** Issue 2 item 7 asks for at least 500 images: ~10 s per measurement at ~50 img/s on 2 cores. */
  images: 500,
  /** Bound and pipeline are measured alternately this many times; the ratio is taken per round
   *  (neighbouring measurements see similar machine load) and the median is reported. */
  rounds: 3,
  /** Issue 2 item 7: "~20 ms added latency per request" (a remote object store's first byte). */
  latencyMs: 20,
  /** Dataset: greyscale PNG ion images, 64–256 px (the demo's range, without the tiniest ones). */
  dataset: Object.freeze({ seed: 7, minSizePx: 64, maxSizePx: 256 }),
  /** ResNet-50-shaped graph, regenerated at every run (~1 s); writeResNet50Onnx's own default seed. */
  model: Object.freeze({ seed: 50, classes: 2 }),
  /** Folder for everything the bench writes (git-ignored), relative to the repository root. */
  outDir: 'bench-output',
  /**
   * Settings of the measured task manager. Chosen with `npm run bench -- --sweep` on this 2-core
   * machine (README.md): onnxruntime-node 1.30 runs `session.run` synchronously on the main
   * thread, so 2 sessions × 1 thread never infer in parallel (29.6 img/s bound, ≈ 1 × 1);
   * 1 session × 2 threads is the fastest bound (56.2) and the fastest pipeline (47.1 vs 28.1).
   */
  settings: Object.freeze({
    sessions: 1,
    intraOpThreads: 2,
    /** The task manager's own default (predict.allowSpinning); `--spinning 1` to compare. */
    allowSpinning: false,
    /** The task manager's own default (predict.runner); `--runner main` to compare. */
    runner: 'worker' as 'worker' | 'main',
    /** Measured: 8 and 16 within noise (47.9 vs 46.1 img/s pipeline), 4 slower (45.0). */
    batchSize: 8,
    /** 20 ms latency needs ~1 fetch in flight at 50 img/s; the event loop is blocked during each
     *  batch, so up to a whole batch of responses land at once: keep well above batchSize. */
    fetchConcurrency: 32,
    /** Only decodes started before a `session.run` can finish during it (the run blocks the main
     *  thread), so the effective batch is min(batchSize, this): keep it ≥ batchSize (4 → 43.6 img/s). */
    preprocessConcurrency: 8,
  }),
  /** `--sweep`: the session × thread settings tried, each in its own process (onnxruntime keeps
   *  one thread setting per process, STACK.md), on fewer images to stay quick. */
  sweep: Object.freeze({
    settings: Object.freeze([
      Object.freeze({ sessions: 1, intraOpThreads: 1 }),
      Object.freeze({ sessions: 1, intraOpThreads: 2 }),
      Object.freeze({ sessions: 2, intraOpThreads: 1 }),
    ]),
    images: 200,
  }),
  /** Section 2 (issue 3 item 9): one job on the local backend. One task manager with section 1's
   *  settings, so the ratio to section 1 isolates orchestration (process start, model load, split
   *  claims, Postgres writes) on the same CPU budget; several 2-thread TMs would oversubscribe 2
   *  cores. Splits of 50: 10 claims for 500 images, so claim-ahead between splits is exercised. */
  job: Object.freeze({ taskManagers: 1, splitSize: 50 }),
  /** Warm-up before timing: batches per session (first runs allocate ORT buffers) and pipeline
   *  items (opens keep-alive sockets, loads sharp's codecs). */
  warmup: Object.freeze({ batchesPerSession: 2, pipelineItems: 16 }),
});
