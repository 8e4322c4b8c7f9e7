/**
 * Task-manager config in three steps: the public input type (every field optional) → frozen
 * defaults (`defaults.ts`) → `compileTaskManagerConfig()`, which validates and names the bad field
 * and value, e.g. `config.predict.batchSize must be an integer ≥ 1 (got 0)`.
 */
import { z } from 'zod';
import { TASK_MANAGER_DEFAULTS } from './defaults.js';
import { OffsampleError, TaskErrorCode } from './errors.js';

// The `@offsample/task-runtime/config` subpath serves this module alone (no onnxruntime / sharp),
// so the orchestrator can validate task-manager config cheaply; it needs the defaults too.
export { TASK_MANAGER_DEFAULTS } from './defaults.js';

export interface TaskManagerConfig {
  readonly load: {
    readonly maxConcurrency: number;
    readonly timeoutMs: number;
    readonly maxBytes: number;
    readonly retries: number;
    readonly retryBaseDelayMs: number;
    readonly retryMaxDelayMs: number;
    readonly maxRedirects: number;
    readonly allowLoopback: boolean;
    readonly allowPrivateAddresses: boolean;
    readonly allowLocalFiles: boolean;
  };
  readonly preprocess: {
    readonly concurrency: number;
    readonly limitInputPixels: number;
  };
  readonly predict: {
    readonly batchSize: number;
    readonly sessions: number;
    readonly intraOpThreads: number;
    readonly allowSpinning: boolean;
    readonly runner: 'worker' | 'main';
  };
  readonly queues: {
    readonly inputCapacity: number;
    readonly fetchedCapacity: number;
    readonly tensorCapacity: number;
  };
}

/** What callers pass: any subset of the fields, per section. */
export type TaskManagerConfigInput = {
  [S in keyof TaskManagerConfig]?: { -readonly [K in keyof TaskManagerConfig[S]]?: TaskManagerConfig[S][K] };
};

function int(min: number, max: number) {
  const message = max === Number.MAX_SAFE_INTEGER ? `must be an integer ≥ ${min}` : `must be an integer from ${min} to ${max}`;
  return z
    .number({ error: message })
    .refine((v) => Number.isInteger(v) && v >= min && v <= max, { error: message })
    .optional();
}
const bool = () => z.boolean({ error: 'must be true or false' }).optional();
const ANY = Number.MAX_SAFE_INTEGER;

const OBJECT = { error: 'must be an object' };
const section = <T extends z.core.$ZodLooseShape>(shape: T) => z.strictObject(shape, OBJECT).optional();

const configInputSchema = z.strictObject(
  {
    load: section({
      maxConcurrency: int(1, 1024),
      timeoutMs: int(1, 15 * 60_000),
      maxBytes: int(1, 2 ** 31 - 1),
      retries: int(0, 20),
      retryBaseDelayMs: int(0, 60_000),
      retryMaxDelayMs: int(0, 15 * 60_000),
      maxRedirects: int(0, 20),
      allowLoopback: bool(),
      allowPrivateAddresses: bool(),
      allowLocalFiles: bool(),
    }),
    preprocess: section({
      concurrency: int(1, 256),
      limitInputPixels: int(1, ANY),
    }),
    predict: section({
      batchSize: int(1, 1024),
      sessions: int(1, 64),
      intraOpThreads: int(1, 256),
      allowSpinning: bool(),
      runner: z.enum(['worker', 'main'], { error: "must be 'worker' or 'main'" }).optional(),
    }),
    queues: section({
      inputCapacity: int(1, ANY),
      fetchedCapacity: int(1, ANY),
      tensorCapacity: int(1, ANY),
    }),
  },
  OBJECT,
);

function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  try {
    const text = JSON.stringify(value);
    return text.length > 60 ? `${text.slice(0, 60)}…` : text;
  } catch {
    return String(value);
  }
}

/** Render zod issues as `config.a.b <problem> (got <value>)`, one per line. */
export function formatIssues(root: string, issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const path = [root, ...issue.path.map(String)].join('.');
      if (issue.code === 'unrecognized_keys') {
        return `${path} has unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
      }
      const got = 'input' in issue ? ` (got ${describeValue(issue.input)})` : '';
      return `${path} ${issue.message}${got}`;
    })
    .join('; ');
}

/** Validate `input` and fill defaults; throws OffsampleError CONFIG_INVALID naming field and value. */
export function compileTaskManagerConfig(input: unknown = {}): TaskManagerConfig {
  const parsed = configInputSchema.safeParse(input ?? {}, { reportInput: true });
  if (!parsed.success) {
    throw new OffsampleError(TaskErrorCode.CONFIG_INVALID, formatIssues('config', parsed.error.issues));
  }
  const given = parsed.data;
  const d = TASK_MANAGER_DEFAULTS;
  const config: TaskManagerConfig = {
    load: Object.freeze({ ...d.load, ...stripUndefined(given.load) }),
    preprocess: Object.freeze({ ...d.preprocess, ...stripUndefined(given.preprocess) }),
    predict: Object.freeze({ ...d.predict, ...stripUndefined(given.predict) }),
    queues: Object.freeze({ ...d.queues, ...stripUndefined(given.queues) }),
  };
  if (config.load.retryMaxDelayMs < config.load.retryBaseDelayMs) {
    throw new OffsampleError(
      TaskErrorCode.CONFIG_INVALID,
      `config.load.retryMaxDelayMs must be ≥ config.load.retryBaseDelayMs (${config.load.retryBaseDelayMs}) (got ${config.load.retryMaxDelayMs})`,
    );
  }
  return Object.freeze(config);
}

function stripUndefined<T extends object>(value: T | undefined): Partial<T> {
  if (value === undefined) return {};
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
