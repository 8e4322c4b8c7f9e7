/**
 * Claims + completes per second: the real worker endpoint (HTTP on 127.0.0.1, in this process)
 * over the real PgSplitStore, driven by simulated task managers in forked load processes.
 *
 * Two phases, each on a fresh job of small splits:
 * - saturation: every task manager loops claim → complete back to back. This is the most the
 *   endpoint and Postgres can do; with N task managers always waiting on an answer, latency is
 *   N ÷ throughput by Little's law, so it says nothing about latency at a given load.
 * - paced: each task manager starts one cycle per period (N ÷ target), i.e. an offered load of
 *   the target claims/s, as real task managers that spend time on each split would. This gives
 *   the latency at the target rate, and whether the rate is kept.
 * Only requests answered inside the window (after the warm-up) count.
 */
import os from 'node:os';
import { cachedWorkerSecrets, createWorkerToken, startWorkerEndpoint, type Database, type PgSplitStore } from '@offsample/orchestrator-core';
import { round } from '../../stats.js';
import { CONTROL_PLANE_DEFAULTS } from './defaults.js';
import { createRunningJob } from './jobs.js';
import { perSecondP99, summarise, type LatencySummary, type SecondsSummary } from './latency.js';
import { runLoad } from './load.js';
import { OpKind, type SimulatedTaskManager } from './load-protocol.js';
import { Probe, type ProbeReading } from './probe.js';
import type { ControlPlaneSettings } from './settings.js';

export type ClaimMode = 'saturation' | 'paced';

export interface ClaimPhaseFigure {
  /** What the phase is called in logs and the table. */
  label: string;
  mode: ClaimMode;
  taskManagers: number;
  /** paced: task managers ÷ period; saturation: null. */
  offeredClaimsPerSecond: number | null;
  windowMs: number;
  claimsPerSecond: number;
  completesPerSecond: number;
  resultsPerSecond: number;
  /** HTTP requests answered per second (claim and complete requests; a claim riding on a complete is not one). */
  requestsPerSecond: number;
  claim: LatencySummary;
  /** The claims' p99 second by second (stalls vs steady queueing). */
  claimSeconds: SecondsSummary;
  complete: LatencySummary;
  waits: number;
  failures: number;
  failureMessages: string[];
  /** The job ran out of splits this long after the start (the window was cut there). */
  ranDryAtMs: number | null;
  probe: ProbeReading;
  /** The machine's 1-minute load average when the phase ended (other work on the shared cores). */
  loadAverage1m: number;
  /**
   * CPU per claim + complete cycle (cores ÷ completes/s), in ms: less sensitive to other work on
   * the machine than the rates. 2 cores ÷ the sum is what two idle cores could carry.
   */
  cpuMsPerCycle: { endpoint: number; postgres: number; load: number };
  loadProcessCores: number[];
  loadProcessEventLoopUtilisation: number[];
  job: { splits: number; itemsPerSplit: number; createMs: number };
}

/** After the last cycle may start: time for answers in flight (a complete can queue behind hundreds). */
const GRACE_MS = 30_000;

export interface ClaimPhaseRun {
  db: Database;
  databaseName: string;
  store: PgSplitStore;
  settings: ControlPlaneSettings;
  mode: ClaimMode;
  /** Name in logs and the table (default: the mode). */
  label?: string;
  /** paced: claims/s offered (default settings.targetClaimsPerSecond). */
  offeredClaimsPerSecond?: number;
  log: (line: string) => void;
  /** Size of the job instead of the rate-based sizing (the HTTP ingest phase). */
  splits?: number;
  /** CPU-profile this process during the window into this file. */
  cpuProfileFile?: string | null;
}

export async function runClaimPhase(run: ClaimPhaseRun): Promise<ClaimPhaseFigure> {
  const { db, databaseName, store, settings: s, mode } = run;
  const label = run.label ?? mode;
  const log = (line: string) => run.log(`${label}: ${line}`);
  const offered = run.offeredClaimsPerSecond ?? s.targetClaimsPerSecond;
  const d = CONTROL_PLANE_DEFAULTS;
  const totalMs = s.warmupMs + s.measureMs;
  const sizingRate = mode === 'paced' ? offered : d.saturationSizingClaimsPerSecond;
  const splits = run.splits ?? Math.ceil(((sizingRate * totalMs) / 1000) * d.jobSizeMargin);
  log(`creating a job of ${splits} splits × ${s.itemsPerSplit} items`);
  const job = await createRunningJob(store, `bench-control-plane-${label}`, splits, s.itemsPerSplit, s.taskManagers);
  await db.pool.query('ANALYZE jobs, splits, attempts, results');

  const probe = new Probe(db.pool, databaseName, run.cpuProfileFile ?? null);
  const lookUp = async (jobId: string) => (await store.getJobWithSettings(jobId))?.workerSecret ?? null;
  const cached = cachedWorkerSecrets(lookUp);
  const endpoint = await startWorkerEndpoint({
    store: probe.wrap(store),
    secrets: {
      secretFor: (jobId) =>
        probe.time('secretFor', async () => {
          if (s.secrets === 'cached') return cached.secretFor(jobId);
          const hex = await lookUp(jobId);
          return hex === null ? null : Buffer.from(hex, 'hex');
        }),
    },
    leaseMs: d.leaseMs,
    log: (level, message, fields) => {
      if (level === 'error' || level === 'warn') log(`endpoint ${level}: ${message} ${JSON.stringify(fields ?? {})}`);
    },
  });

  const taskManagers: SimulatedTaskManager[] = Array.from({ length: s.taskManagers }, (_, i) => {
    const id = `bench-tm-${String(i).padStart(4, '0')}`;
    return { id, token: createWorkerToken(job.secret, job.jobId, id) };
  });
  const cyclePeriodMs = mode === 'paced' ? (s.taskManagers * 1000) / offered : 0;
  let reading: ProbeReading | null = null;
  const timers: NodeJS.Timeout[] = [];
  let load;
  try {
    log(`${s.taskManagers} task managers in ${s.loadProcesses} load process(es), ${s.client} client (${s.protocol}), ` +
      `${(s.warmupMs / 1000).toFixed(0)} s warm-up + ${(s.measureMs / 1000).toFixed(0)} s measured` +
      (mode === 'paced' ? `, one cycle per ${cyclePeriodMs.toFixed(0)} ms each (${Math.round(offered)} claims/s offered)` : ''));
    const probing: { reading: Promise<ProbeReading> | null } = { reading: null };
    load = await runLoad(
      s.loadProcesses,
      taskManagers,
      {
        url: endpoint.localUrl,
        client: s.client,
        protocol: s.protocol,
        stopAfterMs: totalMs,
        cyclePeriodMs,
        errorEvery: d.errorEvery,
        labels: d.labels,
        onStart: (delayMs) => {
          timers.push(setTimeout(() => void probe.start(), delayMs + s.warmupMs));
          timers.push(setTimeout(() => (probing.reading = probe.stop()), delayMs + totalMs));
        },
      },
      GRACE_MS,
    );
    reading = await (probing.reading ?? probe.stop());
  } finally {
    for (const t of timers) clearTimeout(t);
    await endpoint.close();
  }
  return { label, ...figure(mode, s, cyclePeriodMs, load, reading, job) };
}

function figure(
  mode: ClaimMode,
  s: ControlPlaneSettings,
  cyclePeriodMs: number,
  load: Awaited<ReturnType<typeof runLoad>>,
  probe: ProbeReading,
  job: { splits: number; itemsPerSplit: number; createMs: number },
): Omit<ClaimPhaseFigure, 'label'> {
  const from = s.warmupMs;
  const to = Math.min(s.warmupMs + s.measureMs, load.ranDryAtMs ?? Number.POSITIVE_INFINITY);
  const windowMs = Math.max(0, to - from);
  const r = load.record;
  const claimLat: number[] = [];
  const completeLat: number[] = [];
  const claimEnds: number[] = [];
  let results = 0;
  let rode = 0;
  let waits = 0;
  let failures = 0;
  for (let i = 0; i < r.kinds.length; i++) {
    const end = r.endsMs[i]!;
    if (end < from || end >= to) continue;
    const kind = r.kinds[i]!;
    if (kind === OpKind.CLAIM_SPLIT || kind === OpKind.CLAIM_SPLIT_RODE) {
      if (kind === OpKind.CLAIM_SPLIT_RODE) rode++;
      claimLat.push(r.latenciesMs[i]!);
      claimEnds.push(end);
    } else if (kind === OpKind.COMPLETE_ACCEPTED) {
      completeLat.push(r.latenciesMs[i]!);
      results += r.stored[i]!;
    } else if (kind === OpKind.CLAIM_WAIT) waits++;
    else if (kind === OpKind.FAILED || kind === OpKind.COMPLETE_OTHER) failures++;
  }
  const perS = (n: number) => (windowMs > 0 ? round((n * 1000) / windowMs, 1) : Number.NaN);
  const cycles = perS(completeLat.length);
  const perCycle = (cores: number) => round((cores * 1000) / cycles, 3);
  return {
    mode,
    taskManagers: s.taskManagers,
    offeredClaimsPerSecond: mode === 'paced' ? round((s.taskManagers * 1000) / cyclePeriodMs, 1) : null,
    windowMs: Math.round(windowMs),
    claimsPerSecond: perS(claimLat.length),
    completesPerSecond: perS(completeLat.length),
    resultsPerSecond: perS(results),
    // A claim that rode on a complete (claim-next) was not a request of its own.
    requestsPerSecond: perS(claimLat.length - rode + completeLat.length),
    claim: summarise(claimLat),
    claimSeconds: perSecondP99(claimEnds, claimLat, from, to, CONTROL_PLANE_DEFAULTS.targetClaimP99Ms),
    complete: summarise(completeLat),
    waits,
    failures,
    failureMessages: load.failures,
    ranDryAtMs: load.ranDryAtMs === null ? null : Math.round(load.ranDryAtMs),
    probe,
    loadAverage1m: round(os.loadavg()[0] ?? Number.NaN),
    cpuMsPerCycle: {
      endpoint: perCycle(probe.endpointCpu.ownCores),
      postgres: perCycle(probe.postgresBackendCores),
      load: perCycle(load.cpuCores.reduce((a, b) => a + b, 0)),
    },
    loadProcessCores: load.cpuCores.map((c) => round(c)),
    loadProcessEventLoopUtilisation: load.eventLoopUtilisation.map((c) => round(c)),
    job: { splits: job.splits, itemsPerSplit: job.itemsPerSplit, createMs: Math.round(job.createMs) },
  };
}
