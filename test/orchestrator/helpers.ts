/**
 * Shared parts of the orchestrator integration tests: a backend that records the real local task
 * managers (pids, jobs, how many were alive at once), an orchestrator factory with short timings,
 * a small image set, and the "exactly one record per input" check.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { generateDataset } from '@offsample/model';
import {
  LocalBackend,
  Orchestrator,
  type Backend,
  type JobOptionsInput,
  type OrchestratorOptions,
  type OrchestratorDeps,
  type ResultRecord,
  type TaskManagerExit,
  type TaskManagerHandle,
} from '@offsample/orchestrator-core';
import { expect } from 'vitest';
import { startImageServer, type ImageServer } from './image-server.js';

export interface RecordedTaskManager {
  taskManagerId: string;
  jobId: string | null;
  pid: number;
  handle: TaskManagerHandle;
  exit: TaskManagerExit | null;
  /** Date.now() when the process had spawned, and when it exited. */
  startedAt: number;
  exitedAt: number | null;
}

/** A real LocalBackend, seen through: every task manager it starts, and the most alive at once. */
export class RecordingBackend implements Backend {
  readonly name = 'local' as const;
  readonly inner: LocalBackend;
  readonly started: RecordedTaskManager[] = [];
  /** Most child processes alive at once, read right after each start (the only moment it grows). */
  maxLive = 0;

  constructor() {
    // A short SIGTERM → SIGKILL grace keeps the stop paths quick.
    this.inner = new LocalBackend({ killGraceMs: 1_000 });
  }

  async start(taskManagerId: string, payload: unknown): Promise<TaskManagerHandle> {
    const handle = await this.inner.start(taskManagerId, payload);
    this.maxLive = Math.max(this.maxLive, this.inner.live());
    if (handle.pid === undefined) throw new Error(`local task manager ${taskManagerId} has no pid`);
    const jobId = typeof payload === 'object' && payload !== null ? String((payload as { jobId?: unknown }).jobId ?? '') || null : null;
    const record: RecordedTaskManager = { taskManagerId, jobId, pid: handle.pid, handle, exit: null, startedAt: Date.now(), exitedAt: null };
    this.started.push(record);
    void handle.exited.then((exit) => {
      record.exit = exit;
      record.exitedAt = Date.now();
    });
    return handle;
  }

  live(): number {
    return this.inner.live();
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  byId(taskManagerId: string): RecordedTaskManager {
    const r = this.started.find((s) => s.taskManagerId === taskManagerId);
    if (!r) throw new Error(`task manager ${taskManagerId} was not started by this backend`);
    return r;
  }

  forJob(jobId: string): RecordedTaskManager[] {
    return this.started.filter((s) => s.jobId === jobId);
  }

  liveForJob(jobId: string): number {
    return this.forJob(jobId).filter((s) => s.exit === null).length;
  }
}

export interface TestOrchestrator {
  orchestrator: Orchestrator;
  backend: RecordingBackend;
  /** Every log line of the orchestrator, as `level message {fields}`. */
  logs: { level: string; message: string; fields?: Record<string, unknown> }[];
  /** What `print` output wrote. */
  printed(): string;
  stop(): Promise<void>;
}

export async function startTestOrchestrator(
  databaseUrl: string,
  options: OrchestratorOptions = {},
  deps: Partial<OrchestratorDeps> = {},
): Promise<TestOrchestrator> {
  const backend = new RecordingBackend();
  const logs: TestOrchestrator['logs'] = [];
  let printed = '';
  const maxTaskManagers = options.maxTaskManagers ?? 3;
  const orchestrator = new Orchestrator(
    { maxJobManagers: 2, schedulerTickMs: 100, ...options, maxTaskManagers, backends: { local: { maxTaskManagers } } },
    {
      databaseUrl,
      backends: { local: backend },
      printSink: new Writable({
        write: (chunk: Buffer, _enc, cb) => {
          printed += chunk.toString('utf8');
          cb();
        },
      }),
      log: (level, message, fields) => {
        logs.push(fields === undefined ? { level, message } : { level, message, fields });
        // OFFSAMPLE_TEST_LOG=1 prints the orchestrator's log while debugging a test.
        if (process.env.OFFSAMPLE_TEST_LOG) console.error(`[orchestrator] ${level}: ${message} ${fields ? JSON.stringify(fields) : ''}`);
      },
      taskManagerIdleTimeoutMs: 10_000,
      stopGraceMs: 2_000,
      ...deps,
    },
  );
  await orchestrator.start();
  return { orchestrator, backend, logs, printed: () => printed, stop: () => orchestrator.stop() };
}

export interface TestImages {
  dir: string;
  /** Image file names (all readable PNGs). */
  files: string[];
  /** A text file that is not an image. */
  textFile: string;
  server: ImageServer;
  close(): Promise<void>;
}

export async function startTestImages(count: number, seed: number): Promise<TestImages> {
  const dir = await mkdtemp(path.join(tmpdir(), 'offsample-orch-test-'));
  const { files } = await generateDataset({ count, outDir: dir, seed, minSizePx: 32, maxSizePx: 64 });
  await writeFile(path.join(dir, 'notes.txt'), 'not an image\n');
  const server = await startImageServer(dir);
  return {
    dir,
    files: files.map((f) => f.file),
    textFile: 'notes.txt',
    server,
    close: async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Job settings every test shares: loopback allowed (the image server), short lease and heartbeat. */
export function baseJob(name: string, inputs: string[], extra: Partial<JobOptionsInput> = {}): JobOptionsInput {
  return {
    name,
    inputs,
    // Long enough that a task manager starved of CPU on a loaded machine keeps its lease; the
    // heartbeat test sets its own shorter one.
    leaseMs: 3_000,
    keepAlive: { enabled: true, intervalMs: 300 },
    // Fetches held at a gate must outlive the test's wait for them.
    taskManagerConfig: { load: { allowLoopback: true, timeoutMs: 30_000 }, predict: { batchSize: 4 } },
    ...extra,
  };
}

/** Every input has exactly one record (a label xor an error), indices 0..n-1 once each. */
export async function expectOneRecordPerInput(orchestrator: Orchestrator, jobId: string, inputs: readonly string[]): Promise<ResultRecord[]> {
  const rows = await orchestrator.store.listResults(jobId, { limit: 10_000 });
  expect(rows.map((r) => r.inputIndex)).toEqual(inputs.map((_, i) => i));
  for (const r of rows) {
    expect(r.input).toBe(inputs[r.inputIndex]);
    expect((r.label === null) !== (r.errorCode === null), `input ${r.inputIndex}: exactly one of label / error`).toBe(true);
  }
  return rows;
}

/** No split has two SUCCEEDED attempts: each was done once. */
export async function expectNoSplitDoneTwice(orchestrator: Orchestrator, jobId: string): Promise<void> {
  const attempts = await orchestrator.store.listAttempts(jobId);
  const wins = new Map<string, number>();
  for (const a of attempts) if (a.status === 'SUCCEEDED') wins.set(a.splitId, (wins.get(a.splitId) ?? 0) + 1);
  for (const [splitId, n] of wins) expect(n, `split ${splitId} succeeded ${n} times`).toBe(1);
}

/** The orchestrator logged no error (a failed scheduler tick, export or job) but the `expected` messages. */
export function expectNoErrorLogs(t: TestOrchestrator, expected: readonly string[] = []): void {
  expect(t.logs.filter((l) => l.level === 'error' && !expected.includes(l.message))).toEqual([]);
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Every task manager this backend started has exited and its process is gone. */
export function expectNoChildLeft(backend: RecordingBackend): void {
  expect(backend.live()).toBe(0);
  for (const tm of backend.started) {
    expect(tm.exit, `task manager ${tm.taskManagerId} has not exited`).not.toBeNull();
    expect(pidAlive(tm.pid), `pid ${tm.pid} of ${tm.taskManagerId} is still alive`).toBe(false);
  }
}

/** Polls `check` until it returns a value other than undefined / false. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The RUNNING attempt of split `ordinal` of a job, once there is one. */
export async function runningAttemptOf(orchestrator: Orchestrator, jobId: string, ordinal: number) {
  return waitFor(`a running attempt of split ${ordinal}`, async () => {
    const split = (await orchestrator.store.listSplits(jobId)).find((s) => s.ordinal === ordinal);
    if (!split) return undefined;
    return (await orchestrator.store.listAttempts(jobId)).find((a) => a.splitId === split.splitId && a.status === 'RUNNING');
  });
}
