/**
 * One job as the gateway describes it (job + progress + task managers + errors by code), and the
 * two ways the CLI prints it: the closing summary of `submit --wait` and `demo`, and the details of
 * `status <jobId>`. Everything comes from GraphQL, so it works against any gateway.
 */
import type { GatewayClient } from '@offsample/gateway/client';
import { CliError, CliErrorCode } from './errors.js';
import { formatDuration } from './format.js';

export interface JobReport {
  id: string;
  name: string;
  status: string;
  backend: string;
  splitMode: string;
  totalInputs: number;
  done: number;
  failed: number;
  splitSize: number;
  numTaskManagers: number;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  settings: { job?: { output?: { storage?: string; location?: string | null; bucket?: string | null } } } | null;
  errorsByCode: { code: string; count: number }[];
  taskManagers: { id: string; status: string; coldStart: boolean; items: number; busyMs: number; idleMs: number }[];
  progress: {
    imagesPerSecond: number;
    etaSeconds: number | null;
    activeTaskManagers: number;
    medianSplitMs: number | null;
    splits: { total: number; pending: number; running: number; done: number; failed: number };
    stuckSplits: { ordinal: number; reason: string; ageMs: number; leaseExpiresInMs: number; taskManagerId: string; speculative: boolean }[];
  } | null;
}

const REPORT_QUERY = `query Report($id: ID!) { job(id: $id) {
  id name status backend splitMode totalInputs done failed splitSize numTaskManagers createdAt startedAt endedAt settings
  errorsByCode { code count }
  taskManagers { id status coldStart items busyMs idleMs }
  progress { imagesPerSecond etaSeconds activeTaskManagers medianSplitMs splits { total pending running done failed }
    stuckSplits { ordinal reason ageMs leaseExpiresInMs taskManagerId speculative } }
} }`;

export async function fetchJobReport(client: GatewayClient, jobId: string): Promise<JobReport> {
  const data = await client.request<{ job: JobReport | null }>(REPORT_QUERY, { id: jobId });
  if (!data.job) throw new CliError(CliErrorCode.Usage, `no job with id ${jobId}`);
  return data.job;
}

/**
 * The report once the job has ended and its task managers have sent their final reports (cold
 * starts, items), which arrive just after the last result; waits at most `maxWaitMs` for them.
 */
export async function fetchFinalReport(client: GatewayClient, jobId: string, maxWaitMs = 3_000): Promise<JobReport> {
  const deadline = Date.now() + maxWaitMs;
  for (;;) {
    const report = await fetchJobReport(client, jobId);
    const reporting = report.taskManagers.some((t) => t.status === 'STARTING' || t.status === 'RUNNING');
    if (!reporting || Date.now() >= deadline) return report;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Milliseconds between start and end (or now, while it runs); null before it started. */
export function jobWallMs(job: { startedAt: string | null; endedAt: string | null }, now = Date.now()): number | null {
  if (!job.startedAt) return null;
  const end = job.endedAt ? Date.parse(job.endedAt) : now;
  return Math.max(0, end - Date.parse(job.startedAt));
}

/** Inputs finished per second over the whole run (the orchestrator's summary figure). */
export function averageRate(job: { done: number; failed: number; startedAt: string | null; endedAt: string | null }): number {
  const wall = jobWallMs(job);
  return wall ? ((job.done + job.failed) * 1000) / wall : 0;
}

/** Where the job's results were exported (they are always in Postgres as well). */
export function outputDescription(job: JobReport): string {
  const out = job.settings?.job?.output;
  switch (out?.storage) {
    case 'local':
      return `${out.location ?? '?'} (results.jsonl, summary.json)`;
    case 's3':
      return `s3://${out.bucket ?? '?'}/${out.location ?? ''}`;
    case 'print':
      return "printed by the gateway (and in Postgres: 'offsample results')";
    default:
      return "Postgres only ('offsample results')";
  }
}

export function keyValueLines(rows: [string, string][]): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${v}`).join('\n') + '\n';
}

/** The closing summary, in the layout `offsample run` prints. */
export function formatJobReport(job: JobReport, extra: [string, string][] = []): string {
  const wall = jobWallMs(job);
  const coldStarts = job.taskManagers.filter((t) => t.coldStart).length;
  const rows: [string, string][] = [
    ['job', `${job.name} (${job.id})`],
    ['status', job.status],
    ['inputs', String(job.totalInputs)],
    ['classified', String(job.done)],
    ['errors', String(job.failed)],
  ];
  for (const e of job.errorsByCode) rows.push([`  ${e.code}`, String(e.count)]);
  rows.push(['task managers', `${job.taskManagers.length} (${coldStarts} cold starts)`]);
  if (job.progress) rows.push(['splits', `${job.progress.splits.total} of up to ${job.splitSize} inputs`]);
  rows.push(['wall time', wall === null ? '-' : `${(wall / 1000).toFixed(2)} s`]);
  rows.push(['throughput', `${averageRate(job).toFixed(1)} img/s`]);
  rows.push(['output', outputDescription(job)]);
  rows.push(...extra);
  return keyValueLines(rows);
}

/** `offsample status <jobId>`: everything the gateway knows about the job's progress. */
export function formatJobDetails(job: JobReport): string {
  const finished = job.done + job.failed;
  const pct = job.totalInputs > 0 ? `${Math.floor((finished / job.totalInputs) * 100)}%` : '-';
  const wall = jobWallMs(job);
  const p = job.progress;
  const running = job.status === 'RUNNING' || job.status === 'QUEUED';
  const rows: [string, string][] = [
    ['job', `${job.name} (${job.id})`],
    ['status', job.status],
    ['backend', `${job.backend.toLowerCase()}, ${job.splitMode.toLowerCase()} splits`],
    ['progress', `${finished}/${job.totalInputs} ${pct} (${job.done} classified, ${job.failed} errors)`],
    ['throughput', running && p ? `${p.imagesPerSecond.toFixed(1)} img/s (rolling)` : `${averageRate(job).toFixed(1)} img/s (average)`],
  ];
  if (running) rows.push(['ETA', p?.etaSeconds == null ? '?' : formatDuration(p.etaSeconds * 1000)]);
  rows.push(['created', job.createdAt]);
  rows.push(['started', job.startedAt ?? '-']);
  rows.push([job.endedAt ? 'duration' : 'running for', wall === null ? '-' : formatDuration(wall)]);
  if (p) {
    const s = p.splits;
    rows.push(['splits', `${s.total} of up to ${job.splitSize} inputs: ${s.done} done, ${s.running} running, ${s.pending} pending, ${s.failed} failed`]);
    if (p.medianSplitMs !== null) rows.push(['median split', formatDuration(p.medianSplitMs)]);
  }
  const coldStarts = job.taskManagers.filter((t) => t.coldStart).length;
  rows.push(['task managers', `${p?.activeTaskManagers ?? 0} active, ${job.taskManagers.length} started (${coldStarts} cold starts), ${job.numTaskManagers} planned`]);
  rows.push(['errors', job.errorsByCode.length === 0 ? 'none' : job.errorsByCode.map((e) => `${e.code} ${e.count}`).join(', ')]);
  rows.push(['stuck splits', String(p?.stuckSplits.length ?? 0)]);
  for (const st of p?.stuckSplits ?? []) {
    const lease = st.leaseExpiresInMs < 0 ? `lease lapsed ${formatDuration(-st.leaseExpiresInMs)} ago` : `lease ${formatDuration(st.leaseExpiresInMs)} left`;
    rows.push([`  #${st.ordinal}`, `${st.reason}, running ${formatDuration(st.ageMs)} on ${st.taskManagerId}${st.speculative ? ' (speculative)' : ''}, ${lease}`]);
  }
  rows.push(['output', outputDescription(job)]);
  return keyValueLines(rows);
}
