/**
 * Options of the Lambda backend: public type → frozen defaults → compileLambdaBackendOptions(),
 * which names the bad field and value.
 */
import type { LambdaClient, LambdaClientConfig } from '@aws-sdk/client-lambda';
import { z } from 'zod';
import type { TaskManagerExit } from './types.js';
import { LambdaError, LambdaErrorCode } from './lambda-errors.js';

/**
 * Event invocations report nothing back: resolves once task manager `taskManagerId` of `jobId` is
 * known to be gone (its final report arrived, its row was ended). `signal` aborts the watch (the
 * backend stopped waiting for another reason); what it resolves with then is ignored.
 */
export type ExitWatcher = (taskManagerId: string, jobId: string | null, signal: AbortSignal) => Promise<TaskManagerExit>;

export interface LambdaBackendOptions {
  functionName: string;
  /** Alias or version to invoke (Lambda's Qualifier); default $LATEST. */
  qualifier?: string | null;
  /** A client to use as is (its owner destroys it); otherwise one is made from the fields below. */
  client?: LambdaClient;
  /** Default: the SDK's chain (AWS_REGION, profile, IMDS). */
  region?: string | null;
  /** Another Lambda API endpoint (tests: a local server). */
  endpoint?: string | null;
  /** Default: the SDK's credential chain. */
  credentials?: LambdaClientConfig['credentials'];
  /** SDK attempts per call; throttling (429), 5xx and network errors are retried with back-off. */
  maxAttempts?: number;
  /** The function's timeout; default: asked once with GetFunctionConfiguration. */
  functionTimeoutMs?: number | null;
  /** Waited beyond the function timeout before an invocation that never reported counts as gone. */
  exitMarginMs?: number;
  /** Sockets to the Lambda API (one per static invocation in flight). */
  maxSockets?: number;
  /** How dynamic (Event) task managers are seen to exit; default: a store watcher the Orchestrator supplies through attach() (outside an Orchestrator, only the timeout ends them). */
  watchExit?: ExitWatcher;
  log?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}

export const LAMBDA_BACKEND_DEFAULTS = Object.freeze({
  /** The SDK's standard retry strategy with 5 tries rides out a few seconds of throttling. */
  maxAttempts: 5,
  /** Lambda ends an invocation at its timeout; 30 s more covers a final report still in flight. */
  exitMarginMs: 30_000,
  /** Lambda's maximum timeout, when GetFunctionConfiguration cannot tell. */
  fallbackFunctionTimeoutMs: 900_000,
  /** The orchestrator's task-manager cap is 1 000 (JOB_LIMITS); static invocations hold a socket each. */
  maxSockets: 1_000,
} as const);

export interface CompiledLambdaBackendOptions {
  readonly functionName: string;
  readonly qualifier: string | null;
  readonly region: string | null;
  readonly endpoint: string | null;
  readonly maxAttempts: number;
  readonly functionTimeoutMs: number | null;
  readonly exitMarginMs: number;
  readonly maxSockets: number;
}

const schema = z.object({
  functionName: z
    .string({ error: 'must be a Lambda function name or ARN' })
    .regex(/^(arn:\S+|[A-Za-z0-9_-]{1,64})$/, { error: 'must be a Lambda function name (1–64 of A-Z, a-z, 0-9, _ and -) or ARN' }),
  qualifier: z
    .string()
    .regex(/^(\$LATEST|\d+|[a-zA-Z0-9_-]{1,128})$/, { error: 'must be $LATEST, a version number or an alias name' })
    .nullable()
    .optional(),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, { error: 'must be an AWS region like eu-west-1' }).nullable().optional(),
  endpoint: z.string().regex(/^https?:\/\/[^\s/?#]+(\/\S*)?$/, { error: 'must be an http(s) URL' }).nullable().optional(),
  maxAttempts: z.number().int().min(1).max(20).optional(),
  functionTimeoutMs: z.number().int().min(1_000).max(900_000).nullable().optional(),
  exitMarginMs: z.number().int().min(0).max(600_000).optional(),
  maxSockets: z.number().int().min(1).max(10_000).optional(),
});

export function compileLambdaBackendOptions(input: LambdaBackendOptions): CompiledLambdaBackendOptions {
  const { client: _client, credentials: _credentials, watchExit, log, ...plain } = input;
  if (watchExit !== undefined && typeof watchExit !== 'function') throw invalid('watchExit', 'must be a function', watchExit);
  if (log !== undefined && typeof log !== 'function') throw invalid('log', 'must be a function', log);
  const parsed = schema.safeParse(plain, { reportInput: true });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw invalid(issue.path.join('.'), issue.message, 'input' in issue ? issue.input : undefined);
  }
  const given = parsed.data;
  const d = LAMBDA_BACKEND_DEFAULTS;
  return Object.freeze({
    functionName: given.functionName,
    qualifier: given.qualifier ?? null,
    region: given.region ?? null,
    endpoint: given.endpoint ?? null,
    maxAttempts: given.maxAttempts ?? d.maxAttempts,
    functionTimeoutMs: given.functionTimeoutMs ?? null,
    exitMarginMs: given.exitMarginMs ?? d.exitMarginMs,
    maxSockets: given.maxSockets ?? d.maxSockets,
  });
}

function invalid(field: string, rule: string, value: unknown): LambdaError {
  let shown: string;
  try {
    shown = typeof value === 'function' ? 'a function' : (JSON.stringify(value) ?? String(value)).slice(0, 80);
  } catch {
    shown = typeof value;
  }
  return new LambdaError(LambdaErrorCode.INVALID_OPTIONS, `lambda backend: ${field} ${rule} (got ${shown})`);
}
