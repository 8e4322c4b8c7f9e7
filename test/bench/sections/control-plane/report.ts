/**
 * The control-plane section's printed table, headline figures and analysis notes. Targets from
 * issue 4 item 5: ≥ 3,000 claims/s with p99 < 50 ms; ≥ 50,000 results/s.
 */
import type { TableRow } from '../../section.js';
import { round } from '../../stats.js';
import type { ClaimPhaseFigure } from './claims.js';
import type { ServerFacts } from './database.js';
import { CONTROL_PLANE_DEFAULTS } from './defaults.js';
import type { ControlPlaneMeasurements } from './index.js';
import type { IngestFigure } from './ingest.js';
import type { ControlPlaneSettings } from './settings.js';

const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '–');
const n0 = (v: number) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '–');
const pair = (a: string, b: string) => `${a} / ${b}`;

export function describeControlPlane(
  m: ControlPlaneMeasurements,
  s: ControlPlaneSettings,
  server: ServerFacts,
): { table: TableRow[]; notes: string[]; figures: Record<string, number> } {
  const d = CONTROL_PLANE_DEFAULTS;
  const table: TableRow[] = [];
  const notes: string[] = [];
  const figures: Record<string, number> = {};

  const phase = (f: ClaimPhaseFigure, name: string) => {
    const dry = f.ranDryAtMs !== null ? `; job ran dry at ${(f.ranDryAtMs / 1000).toFixed(1)} s, window ${(f.windowMs / 1000).toFixed(1)} s` : '';
    table.push(
      { label: `${name}: claims/s | completes/s`, value: pair(n0(f.claimsPerSecond), n0(f.completesPerSecond)), note: `${n0(f.resultsPerSecond)} results/s written${dry}` },
      { label: `${name}: claim p50 / p99`, value: `${pair(ms(f.claim.p50Ms), ms(f.claim.p99Ms))} ms`, note: `max ${ms(f.claim.maxMs)} ms, ${f.claim.count} claims` },
      { label: `${name}: complete p50 / p99`, value: `${pair(ms(f.complete.p50Ms), ms(f.complete.p99Ms))} ms`, note: `max ${ms(f.complete.maxMs)} ms${f.failures ? `; ${f.failures} FAILED requests` : ''}` },
    );
  };
  const where = (f: ClaimPhaseFigure, name: string) => {
    const p = f.probe;
    const call = (k: string) => (p.calls[k] ? ms(p.calls[k].meanMs) : '–');
    table.push(
      {
        label: `${name}: store time per call`,
        value: `${call('store.claim')} | ${call('store.complete')} | ${call('store.attemptOwner')} | ${call('secretFor')} ms`,
        note: 'mean of claim | complete | attemptOwner | secret lookup (queueing for a connection included)',
      },
      {
        label: `${name}: endpoint process`,
        value: `${p.endpointCpu.ownCores.toFixed(2)} cores, loop ${(p.endpointEventLoopUtilisation * 100).toFixed(0)} %`,
        note: `pg pool ${p.poolConnections}/${s.poolMax} connections, ${p.poolWaitingMean.toFixed(1)} requests waiting on average (max ${p.poolWaitingMax})`,
      },
      {
        label: `${name}: CPU elsewhere`,
        value: `${Number.isFinite(p.postgresBackendCores) ? p.postgresBackendCores.toFixed(2) : '–'} pg | ${f.loadProcessCores.map((c) => c.toFixed(2)).join('+')} load`,
        note: `cores: Postgres backends of the bench | load process(es) (loop ${f.loadProcessEventLoopUtilisation.map((v) => `${Math.round(v * 100)} %`).join(', ')}); machine ${p.endpointCpu.machineCores.toFixed(2)} of 2 busy`,
      },
    );
  };

  if (m.saturation) {
    const f = m.saturation;
    phase(f, `saturation, ${f.taskManagers} TMs`);
    where(f, 'saturation');
    figures.saturationClaimsPerSecond = f.claimsPerSecond;
    figures.saturationCompletesPerSecond = f.completesPerSecond;
    figures.saturationResultsPerSecond = f.resultsPerSecond;
    figures.saturationClaimP50Ms = f.claim.p50Ms;
    figures.saturationClaimP99Ms = f.claim.p99Ms;
    figures.saturationCompleteP50Ms = f.complete.p50Ms;
    figures.saturationCompleteP99Ms = f.complete.p99Ms;
    const inFlight = f.taskManagers;
    notes.push(
      `Saturation: ${inFlight} task managers always wait on an answer, so mean latency ≈ ${inFlight} ÷ ${n0(f.requestsPerSecond)} requests/s = ` +
        `${ms((inFlight * 1000) / f.requestsPerSecond)} ms (Little's law): a p99 under ${d.targetClaimP99Ms} ms with ${inFlight} back-to-back ` +
        `task managers would need > ${n0((inFlight * 1000) / d.targetClaimP99Ms)} requests/s. The paced phase measures latency at the target rate.`,
    );
  }
  if (m.paced) {
    const f = m.paced;
    phase(f, `paced, ${n0(f.offeredClaimsPerSecond ?? Number.NaN)} claims/s offered`);
    where(f, 'paced');
    figures.pacedOfferedClaimsPerSecond = f.offeredClaimsPerSecond ?? Number.NaN;
    figures.pacedClaimsPerSecond = f.claimsPerSecond;
    figures.pacedCompletesPerSecond = f.completesPerSecond;
    figures.pacedClaimP50Ms = f.claim.p50Ms;
    figures.pacedClaimP99Ms = f.claim.p99Ms;
    figures.pacedCompleteP50Ms = f.complete.p50Ms;
    figures.pacedCompleteP99Ms = f.complete.p99Ms;
  }
  const best = Math.max(m.saturation?.claimsPerSecond ?? 0, m.paced?.claimsPerSecond ?? 0);
  if (m.saturation || m.paced) {
    const p99 = m.paced?.claim.p99Ms ?? Number.NaN;
    const rateOk = best >= d.targetClaimsPerSecond;
    const latencyOk = m.paced !== null && m.paced.claimsPerSecond >= 0.95 * (m.paced.offeredClaimsPerSecond ?? 0) && p99 < d.targetClaimP99Ms;
    table.push({
      label: 'target: ≥ 3,000 claims/s, p99 < 50 ms',
      value: rateOk && latencyOk ? 'met' : 'MISSED',
      note: `best ${n0(best)} claims/s (${rateOk ? 'meets' : 'short of'} the rate); claim p99 at the offered rate ${ms(p99)} ms` +
        (m.paced ? ` (${latencyOk ? 'meets' : 'misses'})` : ' (paced phase not run)'),
    });
  }

  const ingestRow = (f: IngestFigure, label: string, extra: string) => {
    table.push({ label, value: `${n0(f.rowsPerSecond)} rows/s`, note: `${f.completers} at once, ${f.itemsPerSplit}-item splits: ${f.splitsDone} in ${(f.wallMs / 1000).toFixed(1)} s; per split p50 ${ms(f.perSplit.p50Ms)} / p99 ${ms(f.perSplit.p99Ms)} ms${extra}` });
  };
  if (m.ingestStore) {
    const f = m.ingestStore;
    ingestRow(f, 'ingest: store.complete path', f.claim ? `; claim p50 ${ms(f.claim.p50Ms)} ms` : '');
    figures.ingestStoreRowsPerSecond = f.rowsPerSecond;
  }
  if (m.ingestHttp) {
    const f = m.ingestHttp;
    table.push({
      label: 'ingest: through the worker endpoint',
      value: `${n0(f.resultsPerSecond)} rows/s`,
      note: `${f.taskManagers} TMs over HTTP, ${f.job.itemsPerSplit}-item splits; complete p50 ${ms(f.complete.p50Ms)} / p99 ${ms(f.complete.p99Ms)} ms; endpoint loop ${Math.round(f.probe.endpointEventLoopUtilisation * 100)} %`,
    });
    figures.ingestHttpRowsPerSecond = f.resultsPerSecond;
  }
  if (m.ingestRaw) {
    ingestRow(m.ingestRaw, 'ingest: bulk insert statement alone', '');
    figures.ingestInsertStatementRowsPerSecond = m.ingestRaw.rowsPerSecond;
  }
  if (m.ingestStore || m.ingestHttp) {
    const bestIngest = Math.max(m.ingestStore?.rowsPerSecond ?? 0, m.ingestHttp?.resultsPerSecond ?? 0);
    table.push({ label: 'target: ≥ 50,000 results/s', value: bestIngest >= d.targetResultsPerSecond ? 'met' : 'MISSED', note: `best product path ${n0(bestIngest)} rows/s` });
  }

  const st = server.settings;
  table.push({
    label: 'database',
    value: `PostgreSQL ${server.version.split(' ')[0]}`,
    note: `${server.source}; fsync ${st.fsync ?? '?'}, synchronous_commit ${st.synchronous_commit ?? '?'}, shared_buffers ${st.shared_buffers ?? '?'}; pg pool max ${s.poolMax}`,
  });
  notes.push(
    `Settings: ${s.taskManagers} TMs, ${s.itemsPerSplit}-item splits, ${s.client} client in ${s.loadProcesses} load process(es), secrets looked up ${s.secrets === 'store' ? 'in the store per request (as the Orchestrator does)' : 'once and cached'}, ` +
      `pg pool max ${s.poolMax}. Endpoint, load process(es) and Postgres share this machine's 2 cores with other work: figures are noisy.`,
  );
  figures.poolMax = s.poolMax;
  figures.taskManagers = s.taskManagers;
  for (const [k, v] of Object.entries(figures)) figures[k] = round(v, 2);
  return { table, notes, figures };
}
