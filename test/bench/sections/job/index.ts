/**
 * Section 2 (issue 3 item 9): a whole job through `Orchestrator` on the local backend — same
 * model, same image URLs, same task-manager config as section 1 — as a ratio to section 1's
 * pipeline figure from this same run, so orchestration overhead (task-manager process start,
 * model load, split claims and completions through the worker endpoint, Postgres writes, output
 * export) is visible. Postgres: DATABASE_URL when set, else an embedded server in bench-output/.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { openDatabase, Orchestrator, type Database, type JobSummary } from '@offsample/orchestrator-core';
import { DISTURBED_OTHER_CORES, startCpuMeter, type CpuReading } from '../../cpu-meter.js';
import type { BenchContext, Section, SectionReport, TableRow } from '../../section.js';
import { fmt, median, perSecond, round } from '../../stats.js';
import { pipelineConfig } from '../task-runtime/pipeline.js';
import { TASK_RUNTIME_SECTION_ID } from '../task-runtime/index.js';

export const JOB_SECTION_ID = 'job';

interface JobRound {
  summary: Pick<JobSummary, 'jobId' | 'status' | 'done' | 'failed' | 'errorsByCode' | 'wallMs' | 'imagesPerSecond' | 'plan' | 'coldStarts'>;
  /** runJob call → resolve, measured here (includes submission and planning). */
  callMs: number;
  /** Sum over task managers of time with items in their pipeline, and their items. */
  taskManagerBusyMs: number;
  taskManagerItems: number;
  splitMs: number[];
  /** This process + the ended task managers (own) vs the rest (Postgres, image server, other users). */
  cpu: CpuReading;
  disturbed: boolean;
}

async function openBenchDatabase(ctx: BenchContext): Promise<{ database: Database | undefined; where: string }> {
  if (process.env.DATABASE_URL !== undefined && process.env.DATABASE_URL !== '') return { database: undefined, where: 'DATABASE_URL' };
  const dataDir = path.join(ctx.outDir, 'postgres');
  const database = await openDatabase({ dataDir });
  return { database, where: `embedded (${path.relative(path.dirname(ctx.outDir), dataDir)})` };
}

export const jobSection: Section = {
  id: JOB_SECTION_ID,
  title: 'Job through the orchestrator (issue 3 item 9): local backend vs single task runtime',
  async run(ctx: BenchContext): Promise<SectionReport> {
    const { settings, job, rounds: roundCount } = ctx.options;
    ctx.log('opening Postgres');
    const { database, where } = await openBenchDatabase(ctx);
    const quiet = new Writable({ write: (_chunk, _enc, done) => done() });
    const orchestrator = new Orchestrator(
      { maxJobManagers: 1, maxTaskManagers: job.taskManagers, backends: { local: { maxTaskManagers: job.taskManagers } } },
      {
        ...(database !== undefined ? { database } : {}),
        printSink: quiet,
        log: (level, message, fields) => {
          if (level !== 'info') ctx.log(`orchestrator ${level}: ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}`);
        },
      },
    );
    const rounds: JobRound[] = [];
    try {
      await orchestrator.start();
      for (let r = 0; r < roundCount; r++) {
        const name = `bench-${Date.now()}-${r + 1}`;
        const meter = startCpuMeter();
        const started = performance.now();
        const summary = await orchestrator.runJob({
          name,
          inputs: ctx.urls,
          numTaskManagers: job.taskManagers,
          splitSize: job.splitSize,
          backend: 'local',
          taskManagerConfig: pipelineConfig(settings) as Record<string, unknown>,
          model: { dir: ctx.model.dir },
          output: { storage: 'local', location: path.join(ctx.outDir, 'job-output', name) },
        });
        const callMs = performance.now() - started;
        const cpu = meter();
        rounds.push({
          summary: {
            jobId: summary.jobId,
            status: summary.status,
            done: summary.done,
            failed: summary.failed,
            errorsByCode: summary.errorsByCode,
            wallMs: summary.wallMs,
            imagesPerSecond: summary.imagesPerSecond,
            plan: summary.plan,
            coldStarts: summary.coldStarts,
          },
          callMs,
          taskManagerBusyMs: summary.taskManagers.reduce((n, t) => n + t.busyMs, 0),
          taskManagerItems: summary.taskManagers.reduce((n, t) => n + t.items, 0),
          splitMs: summary.splits.map((s) => s.durationMs ?? Number.NaN),
          cpu,
          disturbed: cpu.otherCores > DISTURBED_OTHER_CORES,
        });
        ctx.log(`job ${r + 1}/${roundCount}: ${summary.status}, ${fmt.rate(summary.imagesPerSecond)} over ${fmt.s(summary.wallMs)}`);
      }
    } finally {
      await orchestrator.stop();
      await database?.close();
    }
    return buildReport(ctx, rounds, where);
  },
};

function buildReport(ctx: BenchContext, allRounds: JobRound[], where: string): SectionReport {
  const { job } = ctx.options;
  const clean = allRounds.filter((r) => !r.disturbed);
  const rounds = clean.length > 0 ? clean : allRounds;
  const jobRate = median(rounds.map((r) => r.summary.imagesPerSecond));
  const single = ctx.reports.get(TASK_RUNTIME_SECTION_ID)?.figures.pipelineImagesPerSecond;
  const busyRate = median(rounds.map((r) => perSecond(r.taskManagerItems, r.taskManagerBusyMs / job.taskManagers)));
  const overheadMs = median(rounds.map((r) => r.summary.wallMs - r.taskManagerBusyMs / job.taskManagers));
  const perRound = rounds.length > 1 ? `median of ${rounds.map((r) => r.summary.imagesPerSecond.toFixed(1)).join(', ')}` : undefined;
  const first = rounds[0]!.summary;
  const table: TableRow[] = [
    {
      label: 'jobs used',
      value: `${rounds.length} of ${allRounds.length}`,
      note:
        clean.length > 0
          ? `undisturbed jobs only; others per job: ${allRounds.map((r) => r.cpu.otherCores.toFixed(2)).join(', ')} cores (Postgres included)`
          : `EVERY job disturbed (other processes > ${DISTURBED_OTHER_CORES} cores): figures unreliable`,
    },
    { label: `job end-to-end (${job.taskManagers} TM, ${first.plan.numSplits} splits of ${first.plan.splitSize})`, value: fmt.rate(jobRate), note: perRound },
    {
      label: 'job / single task runtime (section 1, pipeline)',
      value: single === undefined ? 'n/a' : fmt.ratio(jobRate / single),
      note: single === undefined ? 'run the task-runtime section in the same run for this ratio' : `section 1: ${fmt.rate(single)}`,
    },
    { label: 'job wall time (RUNNING → end)', value: fmt.s(median(rounds.map((r) => r.summary.wallMs))), note: `runJob call: ${fmt.s(median(rounds.map((r) => r.callMs)))}` },
    { label: 'task manager rate while busy', value: fmt.rate(busyRate), note: 'items ÷ time with items in its pipeline' },
    { label: 'wall − busy (per TM)', value: fmt.s(overheadMs), note: 'process start, model load, first claim, idle gaps, final report' },
    { label: 'median split time', value: fmt.s(median(rounds.flatMap((r) => r.splitMs).filter(Number.isFinite))) },
    {
      label: 'cores: bench + task managers / machine',
      value: `${median(rounds.map((r) => r.cpu.ownCores)).toFixed(2)} / ${median(rounds.map((r) => r.cpu.machineCores)).toFixed(2)}`,
    },
    { label: 'database', value: where },
  ];
  const failures = rounds.filter((r) => r.summary.status !== 'SUCCEEDED' || r.summary.failed > 0);
  if (failures.length > 0) table.push({ label: 'jobs with failures', value: String(failures.length), note: JSON.stringify(failures.map((r) => r.summary.errorsByCode)) });
  const figures: Record<string, number> = {
    jobImagesPerSecond: round(jobRate),
    taskManagerBusyImagesPerSecond: round(busyRate),
    jobOverheadMs: Math.round(overheadMs),
    undisturbedJobs: clean.length,
  };
  if (single !== undefined) figures.jobToTaskRuntime = round(jobRate / single, 3);
  const notes =
    single === undefined
      ? []
      : [
          `The job reaches ${fmt.pct(jobRate / single)} of the single task runtime; inside the task manager the rate while busy is ` +
            `${fmt.pct(busyRate / single)} of it, so the rest of the gap is the ${fmt.s(overheadMs)} outside the pipeline (start-up and the tail).`,
        ];
  return {
    id: JOB_SECTION_ID,
    title: jobSection.title,
    settings: { taskManagers: job.taskManagers, splitSize: job.splitSize, taskManagerConfig: pipelineConfig(ctx.options.settings), database: where },
    figures,
    table,
    notes,
    details: { rounds: allRounds },
  };
}
