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
   * machine (README.md). onnxruntime-node 1.30 runs `session.run` synchronously on its thread:
   * with `runner: 'main'` 2 sessions × 1 thread only take turns (≈ 1 × 1) and 1 × 2 was the
   * fastest; with `runner: 'worker'` (one worker thread per session) 2 × 1 infer in parallel and
   * are the fastest pipeline (18.8 img/s, bound 20.2, vs main 1 × 2: 16.0, bound 17.4; worker
   * 1 × 2 lost most to sharing its cores: ratio 0.83 in the sweep).
   */
  settings: Object.freeze({
    sessions: 2,
    intraOpThreads: 1,
    /** The task manager's own default (predict.allowSpinning); `--spinning 1` to compare. */
    allowSpinning: false,
    /** The task manager's own default (predict.runner); `--runner main` to compare. */
    runner: 'worker' as 'worker' | 'main',
    /** Measured with runner 'main': 8 and 16 within noise (47.9 vs 46.1 img/s pipeline), 4 slower (45.0). */
    batchSize: 8,
    /** The task manager's default. With runner 'main' the event loop is blocked during each batch,
     *  so a whole batch of responses lands at once: it had to stay well above batchSize. With
     *  'worker', --fetch 8 --preprocess 1 measured the same within noise (ratio 0.942 vs 0.924). */
    fetchConcurrency: 32,
    /** The task manager's default. With runner 'main' only decodes started before a `session.run`
     *  could finish during it (effective batch = min(batchSize, this)); 'worker' lifts that. */
    preprocessConcurrency: 8,
  }),
  /** `--sweep`: the session × thread settings tried, each in its own process (onnxruntime keeps
   *  one thread setting per process, STACK.md), on fewer images to stay quick. */
  sweep: Object.freeze({
    settings: Object.freeze([
      Object.freeze({ runner: 'main', sessions: 1, intraOpThreads: 1 }),
      Object.freeze({ runner: 'main', sessions: 1, intraOpThreads: 2 }),
      Object.freeze({ runner: 'main', sessions: 2, intraOpThreads: 1 }),
      Object.freeze({ runner: 'worker', sessions: 1, intraOpThreads: 1 }),
      Object.freeze({ runner: 'worker', sessions: 1, intraOpThreads: 2 }),
      Object.freeze({ runner: 'worker', sessions: 2, intraOpThreads: 1 }),
    ] as const),
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
