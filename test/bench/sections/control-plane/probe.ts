/**
 * Where the endpoint's time goes, measured from outside the endpoint (no change to it):
 * - a WorkerStore wrapper that times each store call the endpoint makes (and the secret lookup);
 * - the pg pool's queue (requests waiting for a connection), sampled;
 * - this process's CPU and event-loop utilisation, and the CPU of the Postgres backends serving
 *   the bench database (from /proc: the server runs on this machine; NaN when it does not);
 * - how often the event loop's thread gave up its core (voluntary: it had nothing to do) or had it
 *   taken away (involuntary: preempted by another runnable thread), from /proc/self/status. Many
 *   involuntary and few voluntary switches mean the loop was starved of a core, not idle.
 * Readings count only while `recording` is on (the measured window). With `cpuProfileFile` set,
 * the window is also CPU-profiled (V8 inspector, this process only) into that .cpuprofile file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { WorkerStore } from '@offsample/orchestrator-core';
import type pg from 'pg';
import { startCpuMeter, type CpuReading } from '../../cpu-meter.js';
import { summarise, type LatencySummary } from './latency.js';

/** Call name → each call's duration (ms). */
type Timings = Map<string, number[]>;

export interface ProbeReading {
  /** Store calls and secret lookups made by the endpoint during the window. */
  calls: Record<string, LatencySummary>;
  /** The endpoint's process: CPU ÷ wall, and the share of time its event loop was busy. */
  endpointCpu: CpuReading;
  endpointEventLoopUtilisation: number;
  /** Requests waiting for a pooled connection: mean and max of samples. */
  poolWaitingMean: number;
  poolWaitingMax: number;
  poolConnections: number;
  /** CPU of the Postgres backends connected to the bench database (pooled connections and
   *  autovacuum workers), in cores; NaN when they cannot be read (server not on this machine). */
  postgresBackendCores: number;
  /** Context switches of the event loop's thread per second of the window; NaN off Linux. */
  endpointSwitchesPerSecond: { voluntary: number; involuntary: number };
}

const POOL_SAMPLE_MS = 20;
/** USER_HZ (see cpu-meter.ts). */
const CLOCK_TICKS_PER_S = 100;

export class Probe {
  private timings: Timings = new Map();
  private recording = false;
  private poolSamples: number[] = [];
  private sampler: NodeJS.Timeout | null = null;
  private started: {
    cpu: () => CpuReading;
    elu: EventLoopUtilization;
    backends: Map<number, number>;
    switches: { voluntary: number; involuntary: number };
    at: number;
  } | null = null;

  private profiler: Session | null = null;

  constructor(
    private readonly pool: pg.Pool,
    private readonly databaseName: string,
    private readonly cpuProfileFile: string | null = null,
  ) {}

  /** Time `work` under `name` when recording. */
  async time<T>(name: string, work: () => Promise<T>): Promise<T> {
    if (!this.recording) return work();
    const t = performance.now();
    try {
      return await work();
    } finally {
      const entry = this.timings.get(name);
      if (entry === undefined) this.timings.set(name, [performance.now() - t]);
      else entry.push(performance.now() - t);
    }
  }

  wrap(store: WorkerStore): WorkerStore {
    return {
      claim: (...a) => this.time('store.claim', () => store.claim(...a)),
      heartbeat: (...a) => this.time('store.heartbeat', () => store.heartbeat(...a)),
      complete: (...a) => this.time('store.complete', () => store.complete(...a)),
      attemptOwner: (...a) => this.time('store.attemptOwner', () => store.attemptOwner(...a)),
      giveBack: (...a) => this.time('store.giveBack', () => store.giveBack(...a)),
      ...(store.report ? { report: (...a: Parameters<NonNullable<WorkerStore['report']>>) => this.time('store.report', () => store.report!(...a)) } : {}),
    };
  }

  async start(): Promise<void> {
    this.timings = new Map();
    this.poolSamples = [];
    this.started = {
      cpu: startCpuMeter(),
      elu: performance.eventLoopUtilization(),
      backends: await this.backendTicks(),
      switches: loopThreadSwitches(),
      at: performance.now(),
    };
    if (this.cpuProfileFile !== null) {
      this.profiler = new Session();
      this.profiler.connect();
      await this.profiler.post('Profiler.enable');
      await this.profiler.post('Profiler.start');
    }
    this.recording = true;
    this.sampler = setInterval(() => this.poolSamples.push(this.pool.waitingCount), POOL_SAMPLE_MS);
  }

  async stop(): Promise<ProbeReading> {
    const started = this.started;
    if (started === null) throw new Error('probe: stop() before start()');
    this.recording = false;
    if (this.sampler) clearInterval(this.sampler);
    const wallMs = performance.now() - started.at;
    const endpointCpu = started.cpu();
    const endpointEventLoopUtilisation = performance.eventLoopUtilization(started.elu).utilization;
    const switches = loopThreadSwitches();
    if (this.profiler !== null && this.cpuProfileFile !== null) {
      const { profile } = await this.profiler.post('Profiler.stop');
      writeFileSync(this.cpuProfileFile, JSON.stringify(profile));
      this.profiler.disconnect();
      this.profiler = null;
    }
    const backends = await this.backendTicks();
    // A backend that connected during the window (a new pooled connection, an autovacuum worker
    // on the bench database) spent all its CPU inside it; one that left took its share along.
    let ticks = 0;
    for (const [pid, now] of backends) ticks += now - (started.backends.get(pid) ?? 0);
    const calls = Object.fromEntries([...this.timings].map(([name, durations]) => [name, summarise(durations)]));
    const samples = this.poolSamples;
    return {
      calls,
      endpointCpu,
      endpointEventLoopUtilisation,
      poolWaitingMean: samples.length ? samples.reduce((a, b) => a + b, 0) / samples.length : 0,
      poolWaitingMax: samples.length ? Math.max(...samples) : 0,
      poolConnections: this.pool.totalCount,
      postgresBackendCores: backends.size > 0 ? (ticks * 1000) / CLOCK_TICKS_PER_S / wallMs : Number.NaN,
      endpointSwitchesPerSecond: {
        voluntary: ((switches.voluntary - started.switches.voluntary) * 1000) / wallMs,
        involuntary: ((switches.involuntary - started.switches.involuntary) * 1000) / wallMs,
      },
    };
  }

  /** utime + stime (clock ticks) of each backend connected to the bench database. */
  private async backendTicks(): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    let pids: number[];
    try {
      pids = (await this.pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [this.databaseName])).rows.map((r) => r.pid);
    } catch {
      return out;
    }
    for (const pid of pids) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        // Fields after the command (which may contain spaces) start after the last ')'.
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        out.set(pid, Number(f[11]) + Number(f[12]));
      } catch {
        // Not on this machine (remote server) or already gone.
      }
    }
    return out;
  }
}

/** The main thread's context switches so far (its /proc/self/status lines; the main thread runs the event loop). */
function loopThreadSwitches(): { voluntary: number; involuntary: number } {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN);
    return { voluntary: field('voluntary_ctxt_switches'), involuntary: field('nonvoluntary_ctxt_switches') };
  } catch {
    return { voluntary: Number.NaN, involuntary: Number.NaN };
  }
}
