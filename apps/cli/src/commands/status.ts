/**
 * `offsample status [jobId]`: without an id, a table of recent jobs; with one, that job's progress
 * in detail (splits by status, task managers, errors by code, stuck splits). Read from the gateway.
 */
import type { JobView } from '@offsample/gateway/client';
import { intFlag, optionalString, parseCommandArgs } from '../args.js';
import { GATEWAY_CLIENT_DEFAULTS } from '../defaults.js';
import { usageError } from '../errors.js';
import { formatDuration } from '../format.js';
import { CONNECTION_FLAGS, CONNECTION_USAGE, resolveConnection, withGateway } from '../gateway-connection.js';
import { averageRate, fetchJobReport, formatJobDetails, jobWallMs } from '../job-report.js';
import type { Command } from './command.js';

const NAME = 'status';

const STATUSES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'] as const;

const USAGE = `Usage: offsample status [jobId] [options]

Without a job id: the most recent jobs (status, progress, img/s, backend, started, duration).
With one: its progress in detail (splits by status, task managers, errors by code, stuck splits).

Options:
  --limit N            jobs to list (default ${GATEWAY_CLIENT_DEFAULTS.statusJobs}, at most 500)
  --status S[,S…]      list only jobs in these statuses (${STATUSES.join(', ')})
  --json               print the gateway's answer as JSON instead
${CONNECTION_USAGE}
  -h, --help           show this help`;

type Row = JobView & { progress: { imagesPerSecond: number } | null };

const LIST_QUERY = `query Recent($filter: JobFilter, $first: Int!) { jobs(filter: $filter, first: $first) { totalCount nodes {
  id name status backend totalInputs done failed splitSize numTaskManagers createdAt startedAt endedAt progress { imagesPerSecond } } } }`;

function shortTime(iso: string | null): string {
  if (!iso) return '-';
  // 2026-01-05T10:15:30.123Z → 2026-01-05 10:15:30 (UTC, as stored)
  return iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '');
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c] ?? 0))).join('  ').trimEnd()).join('\n') + '\n';
}

function jobRow(j: Row): string[] {
  const finished = j.done + j.failed;
  const pct = j.totalInputs > 0 ? Math.floor((finished / j.totalInputs) * 100) : 0;
  const active = j.status === 'RUNNING' || j.status === 'QUEUED';
  const rate = active ? (j.progress?.imagesPerSecond ?? 0) : averageRate(j);
  const wall = jobWallMs(j);
  return [
    j.id,
    j.name,
    j.status,
    `${finished}/${j.totalInputs} ${pct}%${j.failed > 0 ? ` (${j.failed} err)` : ''}`,
    rate.toFixed(1),
    j.backend.toLowerCase(),
    shortTime(j.startedAt),
    wall === null ? '-' : `${formatDuration(wall)}${j.endedAt ? '' : '…'}`,
  ];
}

export const statusCommand: Command = {
  name: NAME,
  summary: 'recent jobs, or one job\'s progress in detail (from the gateway)',
  usage: USAGE,
  async run(argv, io) {
    const args = parseCommandArgs(NAME, argv, { limit: { type: 'string', short: 'n' }, status: { type: 'string' }, json: { type: 'boolean' }, ...CONNECTION_FLAGS }, 1);
    if (args.help) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const connection = resolveConnection(NAME, args.values);
    const json = args.values.json === true;
    const jobId = args.positionals[0];
    if (jobId !== undefined) {
      const report = await withGateway(connection, (client) => fetchJobReport(client, jobId));
      io.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatJobDetails(report));
      return 0;
    }
    const limit = intFlag(NAME, args.values, 'limit', GATEWAY_CLIENT_DEFAULTS.statusJobs, { min: 1, max: 500 });
    const statusRaw = optionalString(args.values, 'status');
    const statuses = statusRaw?.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
    const bad = statuses?.find((s) => !(STATUSES as readonly string[]).includes(s));
    if (bad !== undefined) throw usageError(`offsample ${NAME}: --status: ${JSON.stringify(bad)} is not one of ${STATUSES.join(', ')}`);
    const data = await withGateway(connection, (client) =>
      client.request<{ jobs: { totalCount: number; nodes: Row[] } }>(LIST_QUERY, { filter: statuses ? { status: statuses } : null, first: limit }),
    );
    if (json) {
      io.stdout.write(`${JSON.stringify(data.jobs, null, 2)}\n`);
      return 0;
    }
    if (data.jobs.nodes.length === 0) {
      io.stdout.write(`no jobs${statuses ? ` in ${statuses.join(', ')}` : ''} at ${connection.url}\n`);
      return 0;
    }
    const header = ['ID', 'NAME', 'STATUS', 'PROGRESS', 'IMG/S', 'BACKEND', 'STARTED (UTC)', 'DURATION'];
    io.stdout.write(table([header, ...data.jobs.nodes.map(jobRow)]));
    if (data.jobs.totalCount > data.jobs.nodes.length) io.stdout.write(`(${data.jobs.nodes.length} of ${data.jobs.totalCount} jobs; --limit for more)\n`);
    return 0;
  },
};
