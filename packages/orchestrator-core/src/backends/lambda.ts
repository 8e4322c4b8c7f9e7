/**
 * Lambda backend: each task manager is one invocation of the task-manager function.
 *
 * - Dynamic payloads: `InvocationType: 'Event'` (Lambda answers 202 and queues it). start() resolves
 *   once Lambda accepted it and rejects when it did not. Lambda says nothing when the invocation
 *   ends, so `exited` resolves when the `watchExit` hook sees the task manager gone (its final report
 *   arrived, or its row was ended; see createStoreExitWatcher) — or at the function's timeout plus
 *   `exitMarginMs`, when it must be over whatever happened.
 * - Static payloads: `InvocationType: 'RequestResponse'`. start() returns as soon as the request is
 *   sent (the job runner renews the split's lease while it runs); `exited` carries the parsed
 *   response, or the function's error (`FunctionError`: Lambda's errorType and errorMessage).
 *   Throttling (429), 5xx and network errors are retried with back-off by the SDK (`maxAttempts`).
 *
 * A Lambda invocation cannot be killed: kill() and close() only stop waiting for it (a static
 * request is aborted; its result is dropped). A dynamic task manager still running then stops by
 * itself at its next claim once its job is over, or at its deadline.
 */
import http from 'node:http';
import https from 'node:https';
import { GetFunctionConfigurationCommand, InvokeCommand, LambdaClient, type InvokeCommandOutput } from '@aws-sdk/client-lambda';
import type { PgSplitStore } from '../store/split-store.js';
import { describeAwsError } from './lambda-errors.js';
import { createStoreExitWatcher } from './lambda-exit-watcher.js';
import { compileLambdaBackendOptions, LAMBDA_BACKEND_DEFAULTS, type CompiledLambdaBackendOptions, type ExitWatcher, type LambdaBackendOptions } from './lambda-options.js';
import type { Backend, TaskManagerExit, TaskManagerHandle } from './types.js';

interface Invocation {
  readonly controller: AbortController;
  settle(exit: TaskManagerExit): void;
}

export class LambdaBackend implements Backend {
  readonly name = 'lambda' as const;
  readonly options: CompiledLambdaBackendOptions;
  private readonly client: LambdaClient;
  private readonly ownsClient: boolean;
  private readonly invocations = new Map<string, Invocation>();
  private functionTimeout: Promise<number> | null = null;
  private closed = false;
  /** `watchExit` as given, or the store watcher attach() made when none was given. */
  private watchExit: ExitWatcher | undefined;

  constructor(private readonly input: LambdaBackendOptions) {
    this.options = compileLambdaBackendOptions(input);
    this.watchExit = input.watchExit;
    if (input.client) {
      this.client = input.client;
      this.ownsClient = false;
    } else {
      const o = this.options;
      const agent = { keepAlive: true, maxSockets: o.maxSockets };
      this.client = new LambdaClient({
        ...(o.region === null ? {} : { region: o.region }),
        ...(o.endpoint === null ? {} : { endpoint: o.endpoint }),
        ...(input.credentials === undefined ? {} : { credentials: input.credentials }),
        maxAttempts: o.maxAttempts,
        requestHandler: { httpAgent: new http.Agent(agent), httpsAgent: new https.Agent(agent) },
      });
      this.ownsClient = true;
    }
  }

  live(): number {
    return this.invocations.size;
  }

  /** The orchestrator's store: without a `watchExit` of its own, Event exits are read from its task-manager rows. */
  attach(ctx: { store: PgSplitStore }): void {
    if (this.input.watchExit !== undefined) return;
    const store = ctx.store;
    this.watchExit = createStoreExitWatcher(() => store, { ...(this.input.log ? { log: this.input.log } : {}) });
  }

  async start(taskManagerId: string, payload: unknown): Promise<TaskManagerHandle> {
    if (this.closed) throw new Error('lambda backend is closed');
    if (this.invocations.has(taskManagerId)) throw new Error(`task manager ${taskManagerId} is already running`);
    const body = Buffer.from(JSON.stringify(payload), 'utf8');
    const fields = typeof payload === 'object' && payload !== null ? (payload as { mode?: unknown; jobId?: unknown }) : {};
    const jobId = typeof fields.jobId === 'string' ? fields.jobId : null;
    return fields.mode === 'dynamic' ? this.startEvent(taskManagerId, jobId, body) : this.startRequestResponse(taskManagerId, body);
  }

  private async startEvent(taskManagerId: string, jobId: string | null, body: Buffer): Promise<TaskManagerHandle> {
    const out = await this.client.send(new InvokeCommand({ ...this.target(), InvocationType: 'Event', Payload: body }));
    if (out.StatusCode !== 202) throw new Error(`Lambda answered the Event invocation with HTTP ${String(out.StatusCode)} instead of 202`);
    const { invocation, exited } = this.track(taskManagerId);
    const signal = invocation.controller.signal;
    void this.timeoutMs().then((timeoutMs) => {
      if (signal.aborted) return;
      const waitMs = timeoutMs + this.options.exitMarginMs;
      const timer = setTimeout(() => invocation.settle({ code: null, signal: null, error: `no final report within the function timeout + margin (${waitMs} ms)` }), waitMs);
      signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
    });
    this.watchExit?.(taskManagerId, jobId, signal).then(
      (exit) => invocation.settle(exit),
      (err: unknown) => this.log('warn', 'exit watcher failed; waiting for the timeout', { taskManagerId, error: describeAwsError(err) }),
    );
    return this.handle(taskManagerId, invocation, exited, 'stopped waiting for it: a Lambda invocation cannot be killed; it stops at its next claim or its deadline');
  }

  private async startRequestResponse(taskManagerId: string, body: Buffer): Promise<TaskManagerHandle> {
    const timeoutMs = (await this.timeoutMs()) + this.options.exitMarginMs;
    const { invocation, exited } = this.track(taskManagerId);
    const signal = invocation.controller.signal;
    const timer = setTimeout(() => invocation.settle({ code: null, signal: null, error: `no response within the function timeout + margin (${timeoutMs} ms)` }), timeoutMs);
    signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
    this.client.send(new InvokeCommand({ ...this.target(), InvocationType: 'RequestResponse', Payload: body }), { abortSignal: signal }).then(
      (out) => invocation.settle(exitFromResponse(out)),
      (err: unknown) => invocation.settle({ code: null, signal: null, error: `invoke failed: ${describeAwsError(err)}` }),
    );
    return this.handle(taskManagerId, invocation, exited, 'abandoned: the invocation was not waited for (a Lambda invocation cannot be killed)');
  }

  /** Registers an invocation; `settle` resolves `exited` once and forgets it. */
  private track(taskManagerId: string): { invocation: Invocation; exited: Promise<TaskManagerExit> } {
    const controller = new AbortController();
    let resolveExit!: (exit: TaskManagerExit) => void;
    const exited = new Promise<TaskManagerExit>((resolve) => (resolveExit = resolve));
    const invocation: Invocation = {
      controller,
      settle: (exit) => {
        if (controller.signal.aborted) return;
        controller.abort();
        this.invocations.delete(taskManagerId);
        resolveExit(exit);
      },
    };
    this.invocations.set(taskManagerId, invocation);
    return { invocation, exited };
  }

  private handle(taskManagerId: string, invocation: Invocation, exited: Promise<TaskManagerExit>, killMessage: string): TaskManagerHandle {
    return {
      taskManagerId,
      exited,
      kill: () => invocation.settle({ code: null, signal: null, error: killMessage }),
    };
  }

  private target(): { FunctionName: string; Qualifier?: string } {
    const { functionName, qualifier } = this.options;
    return qualifier === null ? { FunctionName: functionName } : { FunctionName: functionName, Qualifier: qualifier };
  }

  /** The function's timeout, asked once (a redeploy that changes it needs a new backend). */
  private timeoutMs(): Promise<number> {
    if (this.options.functionTimeoutMs !== null) return Promise.resolve(this.options.functionTimeoutMs);
    this.functionTimeout ??= this.client.send(new GetFunctionConfigurationCommand(this.target())).then(
      (config) => (config.Timeout ?? LAMBDA_BACKEND_DEFAULTS.fallbackFunctionTimeoutMs / 1000) * 1000,
      (err: unknown) => {
        this.log('warn', "could not read the function's timeout; assuming Lambda's maximum", { error: describeAwsError(err) });
        this.functionTimeout = null; // ask again next time
        return LAMBDA_BACKEND_DEFAULTS.fallbackFunctionTimeoutMs;
      },
    );
    return this.functionTimeout;
  }

  private log(level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void {
    this.input.log?.(level, message, { functionName: this.options.functionName, ...fields });
  }

  /** Stops waiting for every invocation (they cannot be killed) and releases the client it made. */
  async close(): Promise<void> {
    this.closed = true;
    for (const invocation of [...this.invocations.values()]) {
      invocation.settle({ code: null, signal: null, error: 'the lambda backend was closed while the invocation ran' });
    }
    if (this.ownsClient) this.client.destroy();
  }
}

/** RequestResponse output → exit: the parsed payload, or Lambda's error for a failed function. */
export function exitFromResponse(out: Pick<InvokeCommandOutput, 'StatusCode' | 'FunctionError' | 'Payload'>): TaskManagerExit {
  const text = out.Payload === undefined ? '' : Buffer.from(out.Payload).toString('utf8');
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (out.FunctionError !== undefined) {
    const e = typeof body === 'object' && body !== null ? (body as { errorType?: unknown; errorMessage?: unknown }) : {};
    const type = typeof e.errorType === 'string' ? e.errorType : out.FunctionError;
    const message = typeof e.errorMessage === 'string' ? e.errorMessage : text.slice(0, 500);
    return { code: null, signal: null, error: `function error (${type}): ${message}`.slice(0, 1_000) };
  }
  if (body === undefined) return { code: null, signal: null, error: `the invocation returned no JSON (HTTP ${String(out.StatusCode)}, ${text.length} bytes)` };
  return { code: 0, signal: null, response: body };
}
