/**
 * AWS Lambda handler: a thin adapter over runTaskManager. The event is the task-manager payload
 * (validated there). Static mode returns `{ outcomes, report }` in the response (RequestResponse
 * invoke); dynamic mode (Event invoke) pulls splits and returns its report. Inference sessions
 * stay cached across warm invocations.
 */
import { normalizeError } from './errors.js';
import { runTaskManager, type TaskManagerResult } from './task-manager.js';

interface LambdaContext {
  getRemainingTimeInMillis?: () => number;
}

export async function handler(event: unknown, context?: LambdaContext): Promise<TaskManagerResult | { error: { code: string; message: string } }> {
  let payload = event;
  // Dynamic payloads get the function's own deadline unless the orchestrator set one.
  const remaining = context?.getRemainingTimeInMillis?.();
  if (remaining !== undefined && typeof event === 'object' && event !== null && (event as { mode?: unknown }).mode === 'dynamic' && !('deadlineAt' in event)) {
    payload = { ...event, deadlineAt: new Date(Date.now() + remaining).toISOString() };
  }
  try {
    return await runTaskManager(payload);
  } catch (err) {
    const error = normalizeError(err);
    return { error: { code: error.code, message: error.message } };
  }
}
