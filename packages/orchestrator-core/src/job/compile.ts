/**
 * `compileJobOptions(input)`: public input → validated, defaulted, frozen `CompiledJob`.
 * Every refusal names the field and the bad value (`job.splitSize must be an integer from 1 to
 * 5000 (got -3)`), and all problems are reported at once in one `JobOptionsError`.
 * `splitSize` and `numTaskManagers` stay null when unset: filling them is step 1 of the plan
 * (policies/plan.ts), which must know what the user chose.
 */
import { compileTaskManagerConfig } from '@offsample/task-runtime/config'; // the subpath: no onnxruntime / sharp load
import { z } from 'zod';
import { JOB_DEFAULTS, JOB_LIMITS } from './defaults.js';
import { JobOptionsError, type OptionsIssue } from './errors.js';
import { checkInputs } from './inputs.js';
import { describeValue, issuesFromZod } from './issues.js';
import { BackendName, OutputStorage, SplitMode, type CompiledJob, type JobOptionsInput } from './types.js';

const required = (rule: string) => (issue: { input?: unknown }) => (issue.input === undefined ? 'is required' : rule);

/** An integer in [min, max], with one message naming the whole rule. */
export function intField(min: number, max: number) {
  const rule = max >= Number.MAX_SAFE_INTEGER ? `must be an integer ≥ ${min}` : `must be an integer from ${min} to ${max}`;
  return z.number({ error: required(rule) }).refine((v) => Number.isInteger(v) && v >= min && v <= max, { error: rule });
}

export function numberField(min: number, max: number, minExclusive = false) {
  const rule = `must be a number ${minExclusive ? '>' : '≥'} ${min} and ≤ ${max}`;
  return z.number({ error: required(rule) }).refine((v) => (minExclusive ? v > min : v >= min) && v <= max, { error: rule });
}

export const boolField = () => z.boolean({ error: required('must be true or false') });

export function enumField<const T extends Record<string, string>>(values: T) {
  const rule = `must be one of ${Object.values(values).map((v) => `'${v}'`).join(', ')}`;
  return z.enum(values, { error: required(rule) });
}

export function textField(maxChars: number) {
  const rule = `must be a non-empty string of at most ${maxChars} characters without control characters`;
  return z
    .string({ error: required(rule) })
    .refine((v) => v.trim().length > 0 && v.length <= maxChars && !/[\u0000-\u001f\u007f]/.test(v), { error: rule });
}

// S3 bucket naming rules (3–63 chars, lower case, digits, dots, hyphens; starts and ends alphanumeric).
const bucketField = () =>
  z
    .string({ error: required('must be a bucket name') })
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: 'must be a valid bucket name (3–63 of a-z, 0-9, ".", "-")' });

const jobSchema = z.strictObject({
  inputs: z.unknown(), // checked by checkInputs: one pass over possibly millions of entries
  name: textField(JOB_LIMITS.maxNameChars),
  bucket: bucketField().optional(),
  splitSize: intField(1, JOB_LIMITS.maxSplitSize).optional(),
  numTaskManagers: intField(1, JOB_LIMITS.maxTaskManagers).optional(),
  backend: enumField(BackendName).optional(),
  splitMode: enumField(SplitMode).optional(),
  speculation: z
    .strictObject({
      enabled: boolField().optional(),
      quantile: numberField(0, 1, true).optional(),
      multiplier: numberField(1, JOB_LIMITS.maxSpeculationMultiplier).optional(),
      extraTaskManagers: intField(0, JOB_LIMITS.maxExtraTaskManagers).optional(),
    })
    .optional(),
  keepAlive: z
    .strictObject({
      enabled: boolField().optional(),
      intervalMs: intField(JOB_LIMITS.minKeepAliveIntervalMs, JOB_LIMITS.maxKeepAliveIntervalMs).optional(),
    })
    .optional(),
  leaseMs: intField(JOB_LIMITS.minLeaseMs, JOB_LIMITS.maxLeaseMs).optional(),
  maxSplitRetries: intField(0, JOB_LIMITS.maxSplitRetries).optional(),
  output: z
    .strictObject({
      storage: enumField(OutputStorage).optional(),
      location: textField(4_096).optional(),
      bucket: bucketField().optional(),
    })
    .optional(),
  taskManagerConfig: z.record(z.string(), z.unknown(), { error: 'must be an object' }).optional(),
  model: z.strictObject({ dir: textField(4_096) }).optional(),
});

/** Validate and fill defaults; throws `JobOptionsError` listing every bad field with its value. */
export function compileJobOptions(input: JobOptionsInput | unknown): CompiledJob {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new JobOptionsError([{ path: 'job', message: `must be an object (got ${describeValue(input)})` }]);
  }
  const parsed = jobSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) {
    // Report the input list's problems too, so one round trip shows everything.
    const raw = input as { inputs?: unknown; bucket?: unknown; backend?: unknown };
    const inputIssues = checkInputs(raw.inputs, {
      bucket: typeof raw.bucket === 'string' ? raw.bucket : null,
      backend: raw.backend === BackendName.LAMBDA ? BackendName.LAMBDA : BackendName.LOCAL,
    });
    throw new JobOptionsError([...inputIssues, ...issuesFromZod('job', parsed.error.issues)]);
  }
  const given = parsed.data;
  const d = JOB_DEFAULTS;
  const backend = given.backend ?? d.backend;
  const bucket = given.bucket ?? null;
  const issues: OptionsIssue[] = checkInputs(given.inputs, { bucket, backend });

  const keepAlive = { enabled: given.keepAlive?.enabled ?? d.keepAlive.enabled, intervalMs: given.keepAlive?.intervalMs ?? d.keepAlive.intervalMs };
  const leaseMs = given.leaseMs ?? (keepAlive.enabled ? d.leaseHeartbeats * keepAlive.intervalMs : d.leaseMsWithoutKeepAlive);
  if (keepAlive.enabled && leaseMs < 2 * keepAlive.intervalMs) {
    issues.push({
      path: 'job.leaseMs',
      message: `must be at least 2 × job.keepAlive.intervalMs (${2 * keepAlive.intervalMs}) so one late heartbeat does not lose the lease (got ${leaseMs})`,
    });
  }

  const storage = given.output?.storage ?? d.output.storage;
  const outputBucket = given.output?.bucket ?? null;
  let location = given.output?.location ?? null;
  if (storage === OutputStorage.S3 && outputBucket === null) {
    issues.push({ path: 'job.output.bucket', message: "is required when job.output.storage is 's3' (got nothing)" });
  }
  if (storage !== OutputStorage.S3 && outputBucket !== null) {
    issues.push({ path: 'job.output.bucket', message: `is only used with job.output.storage 's3', not '${storage}' (got ${describeValue(outputBucket)})` });
  }
  if (storage === OutputStorage.PRINT && location !== null) {
    issues.push({ path: 'job.output.location', message: `is only used with job.output.storage 'local' or 's3' (got ${describeValue(location)})` });
  }
  if (storage !== OutputStorage.PRINT && location === null) location = `${d.output.locationPrefix}/${safeName(given.name)}`;

  if (given.taskManagerConfig !== undefined) issues.push(...taskManagerConfigIssues(given.taskManagerConfig));

  if (issues.length > 0) throw new JobOptionsError(issues);

  const inputs = Object.freeze([...(given.inputs as readonly string[])]);
  return Object.freeze({
    inputs,
    name: given.name,
    bucket,
    splitSize: given.splitSize ?? null,
    numTaskManagers: given.numTaskManagers ?? null,
    backend,
    splitMode: given.splitMode ?? d.splitMode,
    speculation: Object.freeze({
      enabled: given.speculation?.enabled ?? d.speculation.enabled,
      quantile: given.speculation?.quantile ?? d.speculation.quantile,
      multiplier: given.speculation?.multiplier ?? d.speculation.multiplier,
      extraTaskManagers: given.speculation?.extraTaskManagers ?? d.speculation.extraTaskManagers,
    }),
    keepAlive: Object.freeze(keepAlive),
    leaseMs,
    maxSplitRetries: given.maxSplitRetries ?? d.maxSplitRetries,
    output: Object.freeze({ storage, location, bucket: outputBucket }),
    taskManagerConfig: given.taskManagerConfig === undefined ? null : deepFreeze(structuredClone(given.taskManagerConfig)),
    model: given.model === undefined ? null : Object.freeze({ dir: given.model.dir }),
  });
}

/**
 * The task runtime owns its config's rules; run its compiler now so a bad config is refused at
 * submission, not in every task manager. Its message reads `config.a.b <problem>; ...`.
 */
function taskManagerConfigIssues(config: Record<string, unknown>): OptionsIssue[] {
  try {
    compileTaskManagerConfig(config);
    return [];
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return message.split('; ').map((part) => {
      const match = /^config(\S*) ([\s\S]*)$/.exec(part);
      return match ? { path: `job.taskManagerConfig${match[1]}`, message: match[2]! } : { path: 'job.taskManagerConfig', message: part };
    });
  }
}

/** A job name as one path segment: anything but letters, digits, `.`, `_`, `-` becomes `-`. */
export function safeName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-.]+|-+$/g, '').slice(0, 100);
  return cleaned.length > 0 ? cleaned : 'job';
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
