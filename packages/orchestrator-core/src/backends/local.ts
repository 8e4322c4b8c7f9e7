/**
 * Local backend: each task manager is a `child_process.fork` of the task runtime's child entrypoint.
 * The payload goes over the IPC channel (JSON, never code); in static mode the child answers with
 * one `{ type: 'response', body }` message before it exits. Every child is reaped on `close()`,
 * also when the orchestrator fails, so no process outlives the job that started it.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import type { Backend, TaskManagerExit, TaskManagerHandle } from './types.js';

export interface LocalBackendOptions {
  /** Module to fork; defaults to the task runtime's child entrypoint. */
  entrypoint?: string;
  /** Extra node flags for the children (e.g. `--max-old-space-size=...`). */
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
  /** SIGTERM → SIGKILL grace period. */
  killGraceMs?: number;
  log?: (line: string) => void;
}

const requireFromHere = createRequire(import.meta.url);

export function defaultChildEntrypoint(): string {
  return requireFromHere.resolve('@offsample/task-runtime/child');
}

export class LocalBackend implements Backend {
  readonly name = 'local' as const;
  private readonly children = new Map<string, ChildProcess>();
  private readonly entrypoint: string;
  private readonly killGraceMs: number;

  constructor(private readonly options: LocalBackendOptions = {}) {
    this.entrypoint = options.entrypoint ?? defaultChildEntrypoint();
    this.killGraceMs = options.killGraceMs ?? 3_000;
  }

  live(): number {
    return this.children.size;
  }

  async start(taskManagerId: string, payload: unknown): Promise<TaskManagerHandle> {
    const child = fork(this.entrypoint, [], {
      execArgv: this.options.execArgv ?? [],
      env: { ...process.env, ...this.options.env, OFFSAMPLE_TASK_MANAGER_ID: taskManagerId },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'json',
    });
    this.children.set(taskManagerId, child);

    let response: unknown;
    const exited = new Promise<TaskManagerExit>((resolve) => {
      let spawnError: string | undefined;
      child.on('message', (message: unknown) => {
        if (isResponseMessage(message)) response = message.body;
      });
      child.once('error', (err) => {
        spawnError = err.message;
      });
      child.once('exit', (code, signal) => {
        this.children.delete(taskManagerId);
        const exit: TaskManagerExit = { code, signal, response };
        if (spawnError) exit.error = spawnError;
        else if (code !== 0) exit.error = signal ? `killed by ${signal}` : `exited with code ${code}`;
        resolve(exit);
      });
    });

    await new Promise<void>((resolve, reject) => {
      const onSpawn = () => {
        child.off('error', onError);
        resolve();
      };
      const onError = (err: Error) => {
        child.off('spawn', onSpawn);
        this.children.delete(taskManagerId);
        reject(err);
      };
      child.once('spawn', onSpawn);
      child.once('error', onError);
    });
    child.send({ type: 'payload', payload });

    const handle: TaskManagerHandle = {
      taskManagerId,
      exited,
      kill: () => this.kill(child),
      ...(child.pid === undefined ? {} : { pid: child.pid }),
    };
    return handle;
  }

  private kill(child: ChildProcess): void {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }, this.killGraceMs);
    timer.unref();
    child.once('exit', () => clearTimeout(timer));
  }

  async close(): Promise<void> {
    const waits = [...this.children.values()].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          this.kill(child);
        }),
    );
    await Promise.all(waits);
  }
}

function isResponseMessage(message: unknown): message is { type: 'response'; body: unknown } {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { type?: unknown }).type === 'response' &&
    'body' in message
  );
}
