/**
 * The control-plane section's printed table, headline figures and analysis notes. Targets from
 * issue 4 item 5: ≥ 3,000 claims/s with p99 < 50 ms; ≥ 50,000 results/s.
 */
import { STORE_DEFAULTS } from '@offsample/orchestrator-core';
import type { TableRow } from '../../section.js';
import { round } from '../../stats.js';
import type { ClaimPhaseFigure } from './claims.js';
import type { ServerFacts } from './database.js';
import { CONTROL_PLANE_DEFAULTS } from './defaults.js';
import type { ControlPlaneMeasurements } from './index.js';
import type { IngestFigure } from './ingest.js';
import type { ProbeReading } from './probe.js';
import type { ControlPlaneSettings } from './settings.js';

const ms = (v: number) => (Number.isFinite(v) ? (Math.abs(v) < 10 ? v.toFixed(2) : v.toFixed(1)) : '–');
const n0 = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '–');
const pct = (v: number) => `${Math.round(v * 100)} %`;

interface Described {
  table: TableRow[];
  notes: string[];
  figures: Record<string, number>;
}

export function describeControlPlane(m: ControlPlaneMeasurements, s: ControlPlaneSettings, server: ServerFacts): Described {
  const out: Described = { table: [], notes: [], figures: {} };
  const phases: [ClaimPhaseFigure | null, string, string][] = [
    [m.saturation, 'saturation', `saturation (${s.taskManagers} TMs back to back)`],
    [m.paced, 'paced', `paced at ${n0(m.paced?.offeredClaimsPerSecond ?? Number.NaN)} claims/s offered`],
    [m.sustainable, 'sustainable', `paced at ${n0(m.sustainable?.offeredClaimsPerSecond ?? Number.NaN)} claims/s (${pct(CONTROL_PLANE_DEFAULTS.sustainableShare)} of saturation)`],
  ];
  for (const [f, key, name] of phases) if (f) describePhase(out, f, key, name);
  if (m.saturation) whereTimeGoes(out, m.saturation, s);
  claimTarget(out, m);
  describeIngest(out, m);

  const st = server.settings;
  out.table.push({
    label: 'database',
    value: `PostgreSQL ${server.version.split(' ')[0]}`,
    note: `${server.source}; fsync ${st.fsync ?? '?'}, synchronous_commit ${st.synchronous_commit ?? '?'} (worker calls: ${workerCommitNote(s)}), shared_buffers ${st.shared_buffers ?? '?'}, autovacuum ${st.autovacuum ?? '?'}; pg pool max ${s.poolMax}`,
  });
  if (s.settle && phases.filter(([f]) => f !== null).length > 1) {
    out.notes.push(
      'Each phase after the first starts after VACUUM (ANALYZE) + CHECKPOINT (BENCH_CP_SETTLE=0 skips it): windows measure their own load. Longer ' +
        'windows include autovacuum and checkpoints of their own churn, which cost tail latency on 2 cores (README, "third pass").',
    );
  }
  const loads = phases.flatMap(([f]) => (f ? [f.loadAverage1m] : []));
  out.notes.push(
    `Settings: ${s.taskManagers} TMs, ${s.itemsPerSplit}-item splits, ${s.client} client in ${s.loadProcesses} load process(es), secrets looked up ` +
      `${s.secrets === 'store' ? 'in the store on every request' : 'once per job and cached (as the Orchestrator does)'}, pg pool max ${s.poolMax}. ` +
      `Endpoint, load process(es) and Postgres share this machine's 2 cores with other work (1-min load average at the end of each phase: ` +
      `${loads.map((l) => l.toFixed(1)).join(', ') || '–'}): rates are noisy; CPU per cycle is steadier.`,
  );
  out.figures.poolMax = s.poolMax;
  out.figures.taskManagers = s.taskManagers;
  for (const [k, v] of Object.entries(out.figures)) out.figures[k] = round(v, 2);
  return out;
}

/** The loop thread's context switches: preempted (involuntary) against went idle (voluntary). */
function switches(p: ProbeReading): string {
  const { voluntary, involuntary } = p.endpointSwitchesPerSecond;
  if (!Number.isFinite(voluntary) || !Number.isFinite(involuntary)) return '';
  return ` (its thread preempted ${n0(involuntary)}/s, idle ${n0(voluntary)}/s)`;
}

function describePhase(out: Described, f: ClaimPhaseFigure, key: string, name: string): void {
  const dry = f.ranDryAtMs !== null ? `; job ran dry at ${(f.ranDryAtMs / 1000).toFixed(1)} s` : '';
  const c = f.cpuMsPerCycle;
  out.table.push(
    {
      label: `${name}: claims/s | completes/s`,
      value: `${n0(f.claimsPerSecond)} | ${n0(f.completesPerSecond)}`,
      note: `${n0(f.resultsPerSecond)} results/s; window ${(f.windowMs / 1000).toFixed(1)} s${dry}; pool queue ${f.probe.poolWaitingMean.toFixed(0)}, endpoint loop ${pct(f.probe.endpointEventLoopUtilisation)}${switches(f.probe)}`,
    },
    { label: '    claim p50 / p99', value: `${ms(f.claim.p50Ms)} / ${ms(f.claim.p99Ms)} ms`, note: `max ${ms(f.claim.maxMs)} ms, ${f.claim.count} claims` },
    {
      label: '    claim p99 second by second',
      value: `${ms(f.claimSeconds.minP99Ms)} / ${ms(f.claimSeconds.medianP99Ms)} / ${ms(f.claimSeconds.maxP99Ms)} ms`,
      note: `min / median / max over ${f.claimSeconds.seconds} s; ${f.claimSeconds.secondsUnder} of them under ${f.claimSeconds.boundMs} ms`,
    },
    {
      label: '    complete p50 / p99',
      value: `${ms(f.complete.p50Ms)} / ${ms(f.complete.p99Ms)} ms`,
      note: `max ${ms(f.complete.maxMs)} ms${f.failures ? `; ${f.failures} FAILED requests: ${f.failureMessages[0] ?? ''}` : ''}`,
    },
    {
      label: '    CPU per claim + complete',
      value: `${ms(c.endpoint)} + ${ms(c.postgres)} ms`,
      note: `endpoint + Postgres backends (load: ${ms(c.load)} ms); two idle cores ≈ ${n0(2000 / (c.endpoint + c.postgres))} cycles/s`,
    },
    {
      label: '    store.claim | store.complete p50 / p99',
      value: `${storeCall(f, 'store.claim')} | ${storeCall(f, 'store.complete')} ms`,
      note: 'inside the endpoint, batch wait included: the rest of a request\'s latency is HTTP, the event loop and the load process',
    },
  );
  const fig = out.figures;
  if (f.offeredClaimsPerSecond !== null) fig[`${key}OfferedClaimsPerSecond`] = f.offeredClaimsPerSecond;
  fig[`${key}ClaimsPerSecond`] = f.claimsPerSecond;
  fig[`${key}CompletesPerSecond`] = f.completesPerSecond;
  fig[`${key}ResultsPerSecond`] = f.resultsPerSecond;
  fig[`${key}ClaimP50Ms`] = f.claim.p50Ms;
  fig[`${key}ClaimP99Ms`] = f.claim.p99Ms;
  fig[`${key}CompleteP50Ms`] = f.complete.p50Ms;
  fig[`${key}CompleteP99Ms`] = f.complete.p99Ms;
  fig[`${key}EndpointCpuMsPerCycle`] = c.endpoint;
  fig[`${key}PostgresCpuMsPerCycle`] = c.postgres;
}

function storeCall(f: ClaimPhaseFigure, name: string): string {
  const call = f.probe.calls[name];
  return call ? `${ms(call.p50Ms)} / ${ms(call.p99Ms)}` : '–';
}

/** Saturation only: where a request's time and the CPU went. */
function whereTimeGoes(out: Described, f: ClaimPhaseFigure, s: ControlPlaneSettings): void {
  const p = f.probe;
  const call = (k: string) => (p.calls[k] ? ms(p.calls[k].meanMs) : '–');
  out.table.push(
    {
      label: 'saturation: store time per call',
      value: `${call('store.claim')} | ${call('store.complete')} | ${call('store.attemptOwner')} | ${call('secretFor')} ms`,
      note: 'mean of claim | complete | attemptOwner | secret lookup, waiting for a pooled connection included',
    },
    {
      label: 'saturation: cores used',
      value: `${p.endpointCpu.ownCores.toFixed(2)} | ${Number.isFinite(p.postgresBackendCores) ? p.postgresBackendCores.toFixed(2) : '–'} | ${f.loadProcessCores.map((c) => c.toFixed(2)).join('+')}`,
      note: `endpoint | Postgres backends | load process(es); whole machine ${p.endpointCpu.machineCores.toFixed(2)} of 2 busy`,
    },
  );
  const queued = p.poolWaitingMean;
  const halfTms = s.taskManagers / 2;
  if (queued > halfTms && p.endpointEventLoopUtilisation < 0.9) {
    out.notes.push(
      `Saturation is Postgres-bound: on average ${queued.toFixed(0)} requests waited for one of the ${s.poolMax} pooled connections while the endpoint's ` +
        `event loop was busy ${pct(p.endpointEventLoopUtilisation)} of the time.`,
    );
  } else if (p.endpointEventLoopUtilisation >= 0.9) {
    out.notes.push(`Saturation is bound by the endpoint's event loop (busy ${pct(p.endpointEventLoopUtilisation)}): JSON, validation, HTTP and driver work per request.`);
  }
  const inFlight = f.taskManagers;
  out.notes.push(
    `Saturation: ${inFlight} task managers always wait on an answer, so mean latency ≈ ${inFlight} ÷ ${n0(f.requestsPerSecond)} requests/s = ` +
      `${ms((inFlight * 1000) / f.requestsPerSecond)} ms (Little's law); a p99 under ${CONTROL_PLANE_DEFAULTS.targetClaimP99Ms} ms with ${inFlight} back-to-back ` +
      `task managers would take > ${n0((inFlight * 1000) / CONTROL_PLANE_DEFAULTS.targetClaimP99Ms)} requests/s. The paced phases give latency at a set rate.`,
  );
}

function claimTarget(out: Described, m: ControlPlaneMeasurements): void {
  const d = CONTROL_PLANE_DEFAULTS;
  if (!m.saturation && !m.paced) return;
  const best = Math.max(m.saturation?.claimsPerSecond ?? 0, m.paced?.claimsPerSecond ?? 0);
  const rateOk = best >= d.targetClaimsPerSecond;
  const p = m.paced;
  const kept = p !== null && p.claimsPerSecond >= 0.95 * (p.offeredClaimsPerSecond ?? 0);
  const latencyOk = p !== null && kept && p.claim.p99Ms < d.targetClaimP99Ms;
  out.table.push({
    label: `target: ≥ ${n0(d.targetClaimsPerSecond)} claims/s, p99 < ${d.targetClaimP99Ms} ms`,
    value: rateOk && latencyOk ? 'met' : 'MISSED',
    note: `best ${n0(best)} claims/s; ` + (p ? `at ${n0(p.offeredClaimsPerSecond ?? Number.NaN)} offered: ${n0(p.claimsPerSecond)} kept, claim p99 ${ms(p.claim.p99Ms)} ms` : 'paced phase not run'),
  });
  const saturated = m.saturation?.claimsPerSecond ?? 0;
  if (saturated > 0) {
    // The verdict moves with the host: the same code met it on a host that saturated at ~5,200/s and
    // missed it on one that saturated at ~3,800/s (README, "fourth pass").
    out.notes.push(
      `The target rate is ${pct(d.targetClaimsPerSecond / saturated)} of what this host saturates at (${n0(saturated)} claims/s); ` +
        'the p99 at a set rate depends on that share, so compare hosts by CPU per cycle, and code side by side on one host.',
    );
  }
}

function describeIngest(out: Described, m: ControlPlaneMeasurements): void {
  const row = (f: IngestFigure, label: string, extra: string) => {
    out.table.push({
      label,
      value: `${n0(f.rowsPerSecond)} rows/s`,
      note: `${f.completers} at once, ${f.itemsPerSplit}-item splits: ${f.splitsDone} in ${(f.wallMs / 1000).toFixed(1)} s; per split p50 ${ms(f.perSplit.p50Ms)} / p99 ${ms(f.perSplit.p99Ms)} ms${extra}`,
    });
  };
  if (m.ingestStore) {
    row(m.ingestStore, 'ingest: store.complete path', m.ingestStore.claim ? `; claim p50 ${ms(m.ingestStore.claim.p50Ms)} ms` : '');
    out.figures.ingestStoreRowsPerSecond = m.ingestStore.rowsPerSecond;
  }
  if (m.ingestHttp) {
    const f = m.ingestHttp;
    out.table.push({
      label: 'ingest: through the worker endpoint',
      value: `${n0(f.resultsPerSecond)} rows/s`,
      note: `${f.taskManagers} TMs over HTTP, ${f.job.itemsPerSplit}-item splits; complete p50 ${ms(f.complete.p50Ms)} / p99 ${ms(f.complete.p99Ms)} ms; endpoint loop ${pct(f.probe.endpointEventLoopUtilisation)}`,
    });
    out.figures.ingestHttpRowsPerSecond = f.resultsPerSecond;
  }
  if (m.ingestRaw) {
    row(m.ingestRaw, 'ingest: bulk insert statement alone', '');
    out.figures.ingestInsertStatementRowsPerSecond = m.ingestRaw.rowsPerSecond;
  }
  if (m.ingestStore || m.ingestHttp) {
    const best = Math.max(m.ingestStore?.rowsPerSecond ?? 0, m.ingestHttp?.resultsPerSecond ?? 0);
    const target = CONTROL_PLANE_DEFAULTS.targetResultsPerSecond;
    out.table.push({ label: `target: ≥ ${n0(target)} results/s`, value: best >= target ? 'met' : 'MISSED', note: `best product path ${n0(best)} rows/s` });
  }
}

/** How the store's claims, completes and heartbeats commit in this run (PgSplitStore workerCommit). */
function workerCommitNote(s: ControlPlaneSettings): string {
  const mode = s.workerCommit ?? STORE_DEFAULTS.workerCommit;
  return mode === 'async' ? 'off, workerCommit async' : "the server's, workerCommit sync";
}
