/** Frozen defaults of the Lambda deploy step (bundle, function, EC2 discovery), with their sources. */

export const DEPLOY_DEFAULTS = Object.freeze({
  /** Lambda runtime: Node 20 is what the project runs on (package.json engines). */
  runtime: 'nodejs20.x',
  /** The bundle is `dist/lambda.mjs` (ESM) exporting `handler`. */
  handler: 'dist/lambda.handler',
  /** onnxruntime-node and sharp are copied with their linux-x64 binaries only. */
  architecture: 'x86_64',
  /** Zip name inside `outDir`. */
  zipName: 'offsample-lambda.zip',
  /** Lambda's limit on a zip uploaded directly in the request (larger ones go through S3). */
  maxDirectZipBytes: 50 * 1024 * 1024,
  /** Lambda's limit on a function's unzipped code. */
  maxUnzippedBytes: 250 * 1024 * 1024,
  /** Seed: runtime_memory 3008. */
  memoryMb: 3_008,
  /** Lambda's maximum; a dynamic task manager stops claiming before its deadline anyway. */
  timeoutS: 900,
  /**
   * Lambda retries a failed Event invocation twice by default; the orchestrator replaces a task
   * manager that died itself, so a retry would only run a stale one.
   */
  maxEventRetries: 0,
  /** How long deploy waits for the function to become Active / its update Successful. */
  waitTimeoutS: 300,
  /** IAM roles take a few seconds to become usable by Lambda after they are created. */
  roleRetryDelaysMs: Object.freeze([2_000, 4_000, 8_000]),
  /** The instance metadata service (IMDSv2). */
  imdsEndpoint: 'http://169.254.169.254',
  /** Per IMDS request; on EC2 it answers in milliseconds, elsewhere the address is a black hole. */
  imdsTimeoutMs: 1_000,
  /** Lifetime asked for the IMDSv2 session token. */
  imdsTokenTtlS: 60,
} as const);
