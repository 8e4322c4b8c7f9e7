/**
 * Child-process entrypoint of the local backend: a thin adapter over runTaskManager.
 * The parent sends one `{ type: 'payload', payload }` message over IPC (JSON, validated by
 * runTaskManager, never evaluated). Static mode answers `{ type: 'response', body }` with the
 * outcomes and the report; dynamic mode talks to the worker endpoint and only reports its exit.
 * SIGTERM stops a dynamic task manager: it abandons its attempts (their leases lapse and the
 * orchestrator hands the splits out again) and exits.
 */
import { normalizeError } from './errors.js';
import { releaseCachedSessions, runTaskManager } from './task-manager.js';
import type { LogFn } from './types.js';

const stop = new AbortController();
process.once('SIGTERM', () => stop.abort());
process.once('SIGINT', () => stop.abort());

const log: LogFn = (level, message, fields) => {
  if (level === 'debug' || (level === 'info' && process.env.OFFSAMPLE_TM_LOG !== 'info')) return;
  process.stderr.write(`[tm ${process.env.OFFSAMPLE_TASK_MANAGER_ID ?? '?'}] ${level}: ${message}${fields ? ' ' + JSON.stringify(fields) : ''}\n`);
};

function send(message: unknown): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

async function main(payload: unknown): Promise<number> {
  try {
    const result = await runTaskManager(payload, { signal: stop.signal, log });
    await send({ type: 'response', body: result });
    return result.report.exitReason === 'ERROR' ? 1 : 0;
  } catch (err) {
    const error = normalizeError(err);
    log('error', error.message, { code: error.code });
    await send({ type: 'response', body: { error: { code: error.code, message: error.message } } });
    return 1;
  } finally {
    await releaseCachedSessions().catch(() => undefined);
  }
}

if (!process.send) {
  process.stderr.write('child.js is started by the local backend (child_process.fork) with an IPC channel\n');
  process.exit(2);
}

process.once('message', (message: unknown) => {
  const payload = typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'payload' ? (message as { payload: unknown }).payload : undefined;
  void main(payload).then((code) => {
    process.disconnect?.();
    process.exitCode = code;
    // onnxruntime / sharp worker threads must not keep a finished task manager alive.
    setTimeout(() => process.exit(code), 200).unref();
  });
});
