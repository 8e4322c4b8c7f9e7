/**
 * The orchestrator's own options: public input (`OrchestratorOptions`) → frozen defaults
 * (defaults.ts) → `compileOrchestratorOptions()`, which names the bad field and value.
 * Backend-specific settings live under `backends.<name>`; the lead extends them there.
 */
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { intField, textField } from '../job/compile.js';
import { JOB_LIMITS } from '../job/defaults.js';
import { JobPlanError, OrchestratorOptionsError, type OptionsIssue } from '../job/errors.js';
import { describeValue, issuesFromZod } from '../job/issues.js';
import type { BackendName } from '../job/types.js';
import { ORCHESTRATOR_DEFAULTS } from './defaults.js';
import type { PlanCaps, PlanDefaults } from './plan.js';
import { jobPolicy, type JobPolicy, type JobPolicySpec } from './policies.js';

export interface OrchestratorOptions {
  /** Jobs running at once. */
  maxJobManagers?: number;
  /** Task managers running at once, across jobs. */
  maxTaskManagers?: number;
  jobPolicy?: JobPolicySpec;
  /** splitSize / numTaskManagers for jobs that leave them unset (step 1 of the plan). */
  jobDefaults?: { splitSize?: number; numTaskManagers?: number };
  schedulerTickMs?: number;
  workerEndpoint?: { host?: string; port?: number; publicUrl?: string | null; bodyLimitBytes?: number };
  backends?: {
    local?: { maxTaskManagers?: number | null };
    lambda?: {
      functionName?: string;
      memoryMb?: number;
      maxTaskManagers?: number;
      /** AWS region; null = the SDK's chain (AWS_REGION, profile, instance metadata). */
      region?: string | null;
      /** Alias (or version) invoked; deploy publishes a version and points the alias at it. null = $LATEST. */
      alias?: string | null;
      /** Another Lambda API endpoint (tests: a local server); null = AWS. */
      endpoint?: string | null;
      /** The function's timeout (deploy sets it; the backend waits this long plus a margin at most). */
      timeoutS?: number;
    };
  };
}

export interface CompiledOrchestratorOptions {
  readonly maxJobManagers: number;
  readonly maxTaskManagers: number;
  readonly jobPolicy: JobPolicy;
  readonly jobDefaults: PlanDefaults;
  readonly schedulerTickMs: number;
  readonly workerEndpoint: Readonly<{ host: string; port: number; publicUrl: string | null; bodyLimitBytes: number }>;
  readonly backends: Readonly<{
    local: Readonly<{ maxTaskManagers: number }>;
    lambda: Readonly<{ functionName: string; memoryMb: number; maxTaskManagers: number; region: string | null; alias: string | null; endpoint: string | null; timeoutS: number }>;
  }>;
}

const httpUrl = z
  .string({ error: 'must be an http(s) URL' })
  .refine((v) => /^https?:\/\/[^\s/?#]+(\/[^\s]*)?$/i.test(v), { error: 'must be an http(s) URL like http://10.0.0.5:8080' });

const schema = z.strictObject({
  maxJobManagers: intField(1, 1_000).optional(),
  maxTaskManagers: intField(1, JOB_LIMITS.maxTaskManagers).optional(),
  jobPolicy: z.unknown().optional(), // functions and objects: checked by jobPolicy()
  jobDefaults: z
    .strictObject({
      splitSize: intField(1, JOB_LIMITS.maxSplitSize).optional(),
      numTaskManagers: intField(1, JOB_LIMITS.maxTaskManagers).optional(),
    })
    .optional(),
  schedulerTickMs: intField(10, 60_000).optional(),
  workerEndpoint: z
    .strictObject({
      host: textField(255).optional(),
      port: intField(0, 65_535).optional(),
      publicUrl: httpUrl.nullable().optional(),
      // At least 64 KiB: a complete call for a 32-input split must always fit.
      bodyLimitBytes: intField(64 * 1024, 1024 * 1024 * 1024).optional(),
    })
    .optional(),
  backends: z
    .strictObject({
      local: z.strictObject({ maxTaskManagers: intField(1, JOB_LIMITS.maxTaskManagers).nullable().optional() }).optional(),
      lambda: z
        .strictObject({
          functionName: z
            .string({ error: 'must be a Lambda function name or ARN' })
            .regex(/^(arn:\S+|[A-Za-z0-9_-]{1,64})$/, { error: 'must be a Lambda function name (1–64 of A-Z, a-z, 0-9, _ and -) or ARN' })
            .optional(),
          // Lambda's own memory range.
          memoryMb: intField(128, 10_240).optional(),
          maxTaskManagers: intField(1, JOB_LIMITS.maxTaskManagers).optional(),
          region: z.string({ error: 'must be an AWS region like eu-west-1' }).regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, { error: 'must be an AWS region like eu-west-1' }).nullable().optional(),
          alias: z
            .string({ error: 'must be a Lambda alias name' })
            .regex(/^(?!\d+$)[a-zA-Z0-9_-]{1,128}$/, { error: 'must be a Lambda alias name (1–128 of A-Z, a-z, 0-9, _ and -, not only digits)' })
            .nullable()
            .optional(),
          endpoint: httpUrl.nullable().optional(),
          // Lambda's own timeout range.
          timeoutS: intField(1, 900).optional(),
        })
        .optional(),
    })
    .optional(),
});

export function compileOrchestratorOptions(input: OrchestratorOptions | unknown = {}): CompiledOrchestratorOptions {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new OrchestratorOptionsError([{ path: 'orchestrator', message: `must be an object (got ${describeValue(input)})` }]);
  }
  const parsed = schema.safeParse(input, { reportInput: true });
  const issues: OptionsIssue[] = parsed.success ? [] : issuesFromZod('orchestrator', parsed.error.issues);
  let policy: JobPolicy | null = null;
  try {
    policy = jobPolicy(((input as OrchestratorOptions).jobPolicy ?? ORCHESTRATOR_DEFAULTS.jobPolicy) as JobPolicySpec);
  } catch (err) {
    if (!(err instanceof JobPlanError)) throw err;
    issues.push(...err.issues.map((i) => ({ path: `orchestrator.${i.path}`, message: i.message })));
  }
  if (!parsed.success || policy === null || issues.length > 0) throw new OrchestratorOptionsError(issues);

  const given = parsed.data;
  const d = ORCHESTRATOR_DEFAULTS;
  return Object.freeze({
    maxJobManagers: given.maxJobManagers ?? d.maxJobManagers,
    maxTaskManagers: given.maxTaskManagers ?? d.maxTaskManagers,
    jobPolicy: policy,
    jobDefaults: Object.freeze({
      splitSize: given.jobDefaults?.splitSize ?? d.jobDefaults.splitSize,
      numTaskManagers: given.jobDefaults?.numTaskManagers ?? d.jobDefaults.numTaskManagers,
    }),
    schedulerTickMs: given.schedulerTickMs ?? d.schedulerTickMs,
    workerEndpoint: Object.freeze({
      host: given.workerEndpoint?.host ?? d.workerEndpoint.host,
      port: given.workerEndpoint?.port ?? d.workerEndpoint.port,
      publicUrl: given.workerEndpoint?.publicUrl ?? d.workerEndpoint.publicUrl,
      bodyLimitBytes: given.workerEndpoint?.bodyLimitBytes ?? d.workerEndpoint.bodyLimitBytes,
    }),
    backends: Object.freeze({
      local: Object.freeze({ maxTaskManagers: given.backends?.local?.maxTaskManagers ?? d.backends.local.maxTaskManagers ?? availableParallelism() }),
      lambda: Object.freeze({
        functionName: given.backends?.lambda?.functionName ?? d.backends.lambda.functionName,
        memoryMb: given.backends?.lambda?.memoryMb ?? d.backends.lambda.memoryMb,
        maxTaskManagers: given.backends?.lambda?.maxTaskManagers ?? d.backends.lambda.maxTaskManagers,
        region: given.backends?.lambda?.region ?? d.backends.lambda.region,
        alias: given.backends?.lambda?.alias ?? d.backends.lambda.alias,
        endpoint: given.backends?.lambda?.endpoint ?? d.backends.lambda.endpoint,
        timeoutS: given.backends?.lambda?.timeoutS ?? d.backends.lambda.timeoutS,
      }),
    }),
  });
}

/** The caps step's input for a job on `backend`: the smaller of the global and the backend's cap. */
export function capsFor(options: CompiledOrchestratorOptions, backend: BackendName, taskManagersInUse = 0): PlanCaps {
  return Object.freeze({
    maxTaskManagers: Math.min(options.maxTaskManagers, options.backends[backend].maxTaskManagers),
    taskManagersInUse,
  });
}
