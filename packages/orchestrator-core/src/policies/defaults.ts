/**
 * Frozen defaults of the orchestrator's own options. "seed" = the Python project's constants.py.
 */
import { JOB_DEFAULTS } from '../job/defaults.js';
import { WORKER_ENDPOINT_DEFAULTS } from '../worker-endpoint/defaults.js';

export const ORCHESTRATOR_DEFAULTS = Object.freeze({
  /** Jobs running at once; more wait in the queue. Seed: MAX_JOB_MANAGERS = 1. */
  maxJobManagers: 1,
  /** Task managers running at once across all jobs. Seed: MAX_TASK_MANAGERS = 100. */
  maxTaskManagers: 100,
  /** Seed: job_policy 'default' (one split per task manager). */
  jobPolicy: 'default',
  /** Step 1 of defaults → policy → caps. */
  jobDefaults: Object.freeze({ splitSize: JOB_DEFAULTS.splitSize, numTaskManagers: JOB_DEFAULTS.numTaskManagers }),
  /** Scheduler tick (lease expiry, speculation, admission). Seed: SPECULATION_INTERVAL_MS = 500. */
  schedulerTickMs: 500,
  workerEndpoint: Object.freeze({
    host: WORKER_ENDPOINT_DEFAULTS.host,
    port: WORKER_ENDPOINT_DEFAULTS.port,
    publicUrl: null,
    bodyLimitBytes: WORKER_ENDPOINT_DEFAULTS.bodyLimitBytes,
  }),
  backends: Object.freeze({
    local: Object.freeze({
      /**
       * Local task managers at once. null = the machine's core count at compile time
       * (os.availableParallelism()): each one runs its own inference threads, more just contend.
       */
      maxTaskManagers: null,
    }),
    lambda: Object.freeze({
      /** Name the deploy step gives the function. */
      functionName: 'offsample-task-manager',
      /** Seed: runtime_memory 3008 (MB); Lambda's vCPU share grows with memory. */
      memoryMb: 3_008,
      /** Concurrent invocations; Lambda's default account limit is 1 000, the seed capped at 100. */
      maxTaskManagers: 100,
      /** null: the AWS SDK's region chain decides. */
      region: null,
      /** null: invoke $LATEST. */
      alias: null,
      /** null: AWS's own endpoint. */
      endpoint: null,
      /** Lambda's maximum; a dynamic task manager stops claiming before its deadline anyway. */
      timeoutS: 900,
    }),
  }),
} as const);
