/**
 * Runs the simulated task managers in forked load processes (load-child.ts, through the same
 * TypeScript loader as the bench: execArgv is inherited from tsx) and merges what they measured.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FromChild, LoadJob, LoadRecord, LoadResult, SimulatedTaskManager } from './load-protocol.js';

const CHILD = fileURLToPath(new URL('./load-child.ts', import.meta.url));
const READY_TIMEOUT_MS = 30_000;
/** Load processes start together this long after the last one said it is ready. */
const START_DELAY_MS = 300;

export interface MergedLoad {
  record: LoadRecord;
  ranDryAtMs: number | null;
  failures: string[];
  /** Per load process. */
  cpuCores: number[];
  eventLoopUtilisation: number[];
}

export async function runLoad(
  processes: number,
  taskManagers: SimulatedTaskManager[],
  job: Omit<LoadJob, 'taskManagers' | 'startAtEpochMs'> & { onStart?: (delayMs: number) => void },
  graceMs: number,
): Promise<MergedLoad> {
  const { onStart, ...shared } = job;
  const children: ChildProcess[] = [];
  try {
    for (let i = 0; i < processes; i++) children.push(fork(CHILD, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    await Promise.all(children.map((c) => once(c, (m) => m.type === 'ready', READY_TIMEOUT_MS)));
    const startAtEpochMs = Date.now() + START_DELAY_MS;
    onStart?.(START_DELAY_MS);
    const shares = children.map((_, i) => taskManagers.filter((__, k) => k % processes === i));
    const results = await Promise.all(
      children.map((c, i) => {
        const answer = once(c, (m) => m.type === 'result' || m.type === 'error', START_DELAY_MS + job.stopAfterMs + graceMs);
        c.send({ type: 'run', job: { ...shared, taskManagers: shares[i]!, startAtEpochMs } });
        return answer;
      }),
    );
    return merge(results.map((m) => (m as Extract<FromChild, { type: 'result' }>).result));
  } finally {
    await Promise.all(children.map(stop));
  }
}

function merge(results: LoadResult[]): MergedLoad {
  const record: LoadRecord = { kinds: [], endsMs: [], latenciesMs: [], stored: [] };
  for (const r of results) {
    for (const key of ['kinds', 'endsMs', 'latenciesMs', 'stored'] as const) {
      const into = record[key];
      for (const v of r.record[key]) into.push(v);
    }
  }
  const dry = results.map((r) => r.ranDryAtMs).filter((v): v is number => v !== null);
  return {
    record,
    ranDryAtMs: dry.length > 0 ? Math.min(...dry) : null,
    failures: [...new Set(results.flatMap((r) => r.failures))].slice(0, 5),
    cpuCores: results.map((r) => r.cpuCores),
    eventLoopUtilisation: results.map((r) => r.eventLoopUtilisation),
  };
}

/** The child's next message matching `accept`; an `error` message, an exit or the timeout reject. */
function once(child: ChildProcess, accept: (m: FromChild) => boolean, timeoutMs: number): Promise<FromChild> {
  return new Promise((resolve, reject) => {
    const done = (fn: () => void) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      fn();
    };
    const onMessage = (m: FromChild) => {
      if (m.type === 'error') done(() => reject(new Error(`load process: ${m.message}`)));
      else if (accept(m)) done(() => resolve(m));
    };
    const onExit = (code: number | null) => done(() => reject(new Error(`load process exited with code ${String(code)}`)));
    const timer = setTimeout(() => done(() => reject(new Error(`load process: no answer within ${timeoutMs} ms`))), timeoutMs);
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (child.connected) child.disconnect();
    else child.kill();
  });
}
