/**
 * Frozen defaults of the task-manager config, with units in the names and where each number
 * comes from. `compileTaskManagerConfig()` fills every field the caller leaves out from here.
 */
export const TASK_MANAGER_DEFAULTS = Object.freeze({
  load: Object.freeze({
    /** Downloads in flight. I/O-bound: 32 keeps a 2-vCPU Lambda's preprocess stage fed from S3/HTTP
     *  with ~50 ms first-byte latency (8 in-flight decodes at ~450 img/s need ~25 fetches waiting). */
    maxConcurrency: 32,
    /** Per attempt, connect + headers + body. Ion images are < 1 MB: 10 s is generous. */
    timeoutMs: 10_000,
    /** Response body cap. Ion-image PNGs are well under 1 MB; 16 MiB leaves headroom while keeping the
     *  worst case (32 fetches + 16 queued bodies, 768 MiB) within a 1.5 GB Lambda. */
    maxBytes: 16 * 1024 * 1024,
    /** Extra attempts after the first, for retryable failures only (5xx, 429, timeouts, resets). */
    retries: 3,
    /** Back-off before retry n is base × 2^(n-1), with jitter: 200, 400, 800 ms. */
    retryBaseDelayMs: 200,
    /** Cap on one back-off (also the largest Retry-After honoured). */
    retryMaxDelayMs: 5_000,
    /** HTTP redirects followed per attempt, each target checked against the address rules. */
    maxRedirects: 5,
    /** 127.0.0.0/8 and ::1. Off by default; the local demo turns it on. */
    allowLoopback: false,
    /** RFC 1918, CGNAT, unique-local (and loopback). Link-local / metadata addresses are never allowed. */
    allowPrivateAddresses: false,
    /** Local paths and file:// URLs. Off by default so a Lambda task manager never reads its own disk. */
    allowLocalFiles: false,
  }),
  preprocess: Object.freeze({
    /** Images decoded at once. STACK.md: sharp reaches ~450 img/s with 8 in flight on 2 cores. */
    concurrency: 8,
    /** sharp's decode pixel limit, as @offsample/model's PREPROCESS_DEFAULTS: ion images are ≤ ~10 MP;
     *  50 MP leaves headroom while refusing decompression bombs (sharp's own default is ~268 MP). */
    limitInputPixels: 50_000_000,
  }),
  predict: Object.freeze({
    /** STACK.md: batch size barely changes CPU throughput; 8 amortises per-call overhead. */
    batchSize: 8,
    /** One session: preprocessing, not inference, is the bottleneck with the shipped model. */
    sessions: 1,
    /** Measured (shipped 64² CNN, 2 cores, 1000 images over local HTTP, batch 8): 1 thread 612–649 img/s,
     *  2 threads 432–493 img/s — inference is ~1 ms/image and a second spinning intra-op thread takes
     *  CPU from sharp. Raise it for large models (ResNet-50-sized: 2 threads ≈ 2×, STACK.md). */
    intraOpThreads: 1,
    /** Let onnxruntime's idle intra-op threads busy-wait for the next op (session config entries
     *  session.intra_op.allow_spinning / inter_op.allow_spinning) instead of sleeping. Spinning only
     *  pays when nothing else needs the cores; here sharp decodes beside inference. Measured (bench,
     *  ResNet-50-shaped, 1 session × 2 threads, 2 cores): bound 20.8 vs 20.9 img/s (no cost), pipeline
     *  19.4 img/s / 98.0 core-ms per image off vs 18.4–19.2 img/s / 101.7 core-ms on. No effect with 1 thread. */
    allowSpinning: false,
    /** Where `session.run` executes: 'worker' (one worker thread per session) or 'main' (the
     *  calling thread). onnxruntime-node 1.30 runs it synchronously, so on the main thread every
     *  batch blocks fetching and decoding and sessions only take turns. Measured (2 cores): ResNet-50-
     *  shaped bench, 2 sessions × 1 thread in workers 18.8 img/s (ratio to its bound 0.924) vs the best
     *  main-thread setting (1 × 2) 16.0 img/s (0.906); shipped CNN, 1000 images over local HTTP,
     *  1 × 1: worker 554–562 img/s, main 384–560 img/s. */
    runner: 'worker' as 'worker' | 'main',
  }),
  queues: Object.freeze({
    /** Work items waiting for a fetch slot (tiny objects; keeps the next split ready). */
    inputCapacity: 256,
    /** Fetched bodies waiting for preprocessing: 2 × preprocess.concurrency. */
    fetchedCapacity: 16,
    /** Tensors waiting for inference: 4 × batchSize (a 224² float tensor is 600 kB). */
    tensorCapacity: 32,
  }),
});
