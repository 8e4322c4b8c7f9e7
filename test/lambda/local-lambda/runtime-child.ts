/**
 * One execution environment of the local Lambda server: a child process playing Lambda's Node.js
 * runtime. It loads `$_HANDLER` (`path/module.export`) from `$LAMBDA_TASK_ROOT` on its first
 * invocation (the init phase), then runs one invocation at a time, given over IPC:
 *
 *   child  → { type: 'ready' } once, when the process is up (its boot is not invocation time)
 *   parent → { type: 'invoke', requestId, event (JSON text), deadlineMs, functionName, functionVersion, invokedFunctionArn, memoryLimitInMB }
 *   child  → { type: 'result', requestId, payload (JSON text) } | { type: 'error', requestId, error: { errorType, errorMessage, trace }, fatal }
 *
 * `fatal` errors (the handler could not be loaded, the process is broken) make the parent retire
 * this environment, as Lambda does.
 */
import { access } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

interface InvokeMessage {
  type: 'invoke';
  requestId: string;
  event: string;
  deadlineMs: number;
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
}

interface LambdaErrorBody {
  errorType: string;
  errorMessage: string;
  trace: string[];
}

type Handler = (event: unknown, context: Record<string, unknown>, callback?: (err: unknown, result?: unknown) => void) => unknown;

let handlerPromise: Promise<Handler> | null = null;
let current: string | null = null;

class InitError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

async function loadHandler(): Promise<Handler> {
  const spec = process.env._HANDLER ?? '';
  const taskRoot = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
  const dot = spec.lastIndexOf('.');
  if (dot <= 0 || dot === spec.length - 1) throw new InitError('Runtime.MalformedHandlerName', `Bad handler ${spec}: expected module.export`);
  const modulePath = path.resolve(taskRoot, spec.slice(0, dot));
  const exportName = spec.slice(dot + 1);
  let file: string | null = null;
  for (const ext of ['.js', '.mjs', '.cjs']) {
    if (await access(modulePath + ext).then(() => true, () => false)) {
      file = modulePath + ext;
      break;
    }
  }
  if (file === null) throw new InitError('Runtime.ImportModuleError', `Error: Cannot find module '${spec.slice(0, dot)}'`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    throw new InitError('Runtime.ImportModuleError', err instanceof Error ? `${err.name}: ${err.message}` : String(err));
  }
  const fn = mod[exportName] ?? (mod.default as Record<string, unknown> | undefined)?.[exportName];
  if (typeof fn !== 'function') throw new InitError('Runtime.HandlerNotFound', `${path.basename(file)}.${exportName} is undefined or not exported`);
  return fn as Handler;
}

function errorBody(err: unknown): LambdaErrorBody {
  if (err instanceof Error) {
    return { errorType: err.name || 'Error', errorMessage: err.message, trace: (err.stack ?? '').split('\n') };
  }
  return { errorType: typeof err, errorMessage: String(err), trace: [] };
}

function send(message: unknown): Promise<void> {
  return new Promise((resolve) => process.send?.(message, undefined, {}, () => resolve()));
}

async function invoke(message: InvokeMessage): Promise<void> {
  current = message.requestId;
  let handler: Handler;
  try {
    handlerPromise ??= loadHandler();
    handler = await handlerPromise;
  } catch (err) {
    const body = err instanceof InitError ? { errorType: err.errorType, errorMessage: err.message, trace: [] } : errorBody(err);
    await send({ type: 'error', requestId: message.requestId, error: body, fatal: true });
    process.exit(1);
  }
  const context = {
    awsRequestId: message.requestId,
    functionName: message.functionName,
    functionVersion: message.functionVersion,
    invokedFunctionArn: message.invokedFunctionArn,
    memoryLimitInMB: message.memoryLimitInMB,
    logGroupName: `/aws/lambda/${message.functionName}`,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, message.deadlineMs - Date.now()),
  };
  try {
    const event: unknown = JSON.parse(message.event);
    // Promise handlers (the norm); callback-style handlers (three parameters) as Node 20's runtime allows.
    const result = await (handler.length >= 3
      ? new Promise((resolve, reject) => {
          const maybe = handler(event, context, (err, value) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(value)));
          if (maybe !== undefined && typeof (maybe as Promise<unknown>).then === 'function') (maybe as Promise<unknown>).then(resolve, reject);
        })
      : handler(event, context));
    let payload: string;
    try {
      payload = JSON.stringify(result ?? null);
    } catch (err) {
      await send({ type: 'error', requestId: message.requestId, error: { errorType: 'Runtime.MarshalError', errorMessage: `Unable to stringify response body: ${String(err)}`, trace: [] }, fatal: false });
      return;
    }
    await send({ type: 'result', requestId: message.requestId, payload });
  } catch (err) {
    await send({ type: 'error', requestId: message.requestId, error: errorBody(err), fatal: false });
  } finally {
    current = null;
  }
}

// Like Lambda's runtime: an error nobody handles ends the environment (and fails the invocation in flight).
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (err: unknown) => {
    const body = errorBody(err);
    if (event === 'unhandledRejection') body.errorType = 'Runtime.UnhandledPromiseRejection';
    void send({ type: 'error', requestId: current, error: body, fatal: true }).finally(() => process.exit(128));
  });
}

process.on('message', (message: InvokeMessage) => {
  if (message?.type === 'invoke') void invoke(message);
});
process.on('disconnect', () => process.exit(0));
void send({ type: 'ready' });
