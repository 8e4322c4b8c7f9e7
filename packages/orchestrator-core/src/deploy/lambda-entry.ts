/**
 * Entry point of the Lambda bundle (esbuild inlines it with the task runtime; the function's
 * handler is `dist/lambda.handler`). Two things the plain task-runtime handler cannot know:
 * - where the shipped model is: the payload's `model.dir` when the job names one, else the `model/`
 *   folder of the bundle (`$OFFSAMPLE_MODEL_DIR` overrides it);
 * - that nobody reads an Event invocation's return value: a dynamic task manager that fails before
 *   its pull loop (bad payload, model load) sends a final report with `exitReason: ERROR`
 *   itself, so the orchestrator learns at once that it is gone instead of at the function timeout.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { handler as taskManagerHandler } from '@offsample/task-runtime/lambda';
import { PROTOCOL_LIMITS } from '@offsample/task-runtime/protocol';
import { createWorkerClient } from '@offsample/task-runtime/worker-client';

interface LambdaContext {
  getRemainingTimeInMillis?: () => number;
}

type HandlerResult = Awaited<ReturnType<typeof taskManagerHandler>>;

/** `<task root>/model`; the bundle sits in `<task root>/dist/`. */
function shippedModelDir(): string {
  if (process.env.OFFSAMPLE_MODEL_DIR) return process.env.OFFSAMPLE_MODEL_DIR;
  const taskRoot = process.env.LAMBDA_TASK_ROOT ?? path.dirname(path.dirname(fileURLToPath(import.meta.url)));
  return path.join(taskRoot, 'model');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export async function handler(event: unknown, context?: LambdaContext): Promise<HandlerResult> {
  const startedAt = new Date();
  const payload = isRecord(event) && !('model' in event) ? { ...event, model: { dir: shippedModelDir() } } : event;
  const result = await taskManagerHandler(payload, context);
  if ('error' in result) {
    console.error(`task manager failed: ${result.error.code}: ${result.error.message}`);
    if (isRecord(event) && event.mode === 'dynamic') await reportFailure(event, result.error, startedAt);
  }
  return result;
}

/** Best effort: the payload may be the very thing that is broken. */
async function reportFailure(event: Record<string, unknown>, error: { code: string; message: string }, startedAt: Date): Promise<void> {
  const endpoint = event.endpoint;
  const taskManagerId = event.taskManagerId;
  if (!isRecord(endpoint) || typeof endpoint.url !== 'string' || typeof endpoint.token !== 'string' || typeof taskManagerId !== 'string') return;
  try {
    const client = createWorkerClient({ url: endpoint.url, token: endpoint.token, retries: 2 });
    await client.report({
      taskManagerId,
      items: 0,
      errors: 0,
      splits: 0,
      busyMs: 0,
      idleMs: 0,
      coldStart: false,
      startedAt,
      endedAt: new Date(),
      exitReason: 'ERROR',
      errorMessage: `${error.code}: ${error.message}`.slice(0, PROTOCOL_LIMITS.maxErrorMessageChars),
    });
  } catch (err) {
    console.error(`final report not delivered: ${err instanceof Error ? err.message : String(err)}`);
  }
}
