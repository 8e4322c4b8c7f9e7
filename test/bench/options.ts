/**
 * Command line of `npm run bench -- [flags]` → validated, complete options (defaults.ts fills the
 * rest). A bad flag value is refused with its name and value.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { BENCH_DEFAULTS } from './defaults.js';

export interface BenchSettings {
  sessions: number;
  intraOpThreads: number;
  /** predict.allowSpinning (onnxruntime's intra-op threads busy-wait between ops). */
  allowSpinning: boolean;
  /** predict.runner: session.run in worker threads or on the main thread. */
  runner: 'worker' | 'main';
  batchSize: number;
  fetchConcurrency: number;
  preprocessConcurrency: number;
}

export interface BenchOptions {
  images: number;
  rounds: number;
  latencyMs: number;
  settings: BenchSettings;
  job: { taskManagers: number; splitSize: number };
  /** Section ids to run, in registry order; all when empty. */
  sections: string[];
  /** Skip the naive loop (the sweep's children do). */
  naive: boolean;
  /** Compare session × thread settings in child processes instead of the normal run. */
  sweep: boolean;
  /** Reuse bench-output/model instead of regenerating it (the sweep's children). */
  reuseModel: boolean;
  /** Also write the JSON report here (the sweep's children hand their figures back this way). */
  jsonOut: string | undefined;
}

export class BenchOptionsError extends Error {
  readonly code = 'BENCH_OPTIONS_INVALID';
}

export const USAGE = `npm run bench -- [flags]
  --images N            images per measurement (default ${BENCH_DEFAULTS.images}, at least 16)
  --rounds N            bound/pipeline rounds, median reported (default ${BENCH_DEFAULTS.rounds})
  --latency-ms N        added latency per HTTP request (default ${BENCH_DEFAULTS.latencyMs})
  --sessions N          predict.sessions (default ${BENCH_DEFAULTS.settings.sessions})
  --threads N           predict.intraOpThreads (default ${BENCH_DEFAULTS.settings.intraOpThreads})
  --spinning 0|1        predict.allowSpinning (default ${BENCH_DEFAULTS.settings.allowSpinning ? 1 : 0})
  --runner worker|main  predict.runner (default ${BENCH_DEFAULTS.settings.runner})
  --batch N             predict.batchSize (default ${BENCH_DEFAULTS.settings.batchSize})
  --fetch N             load.maxConcurrency (default ${BENCH_DEFAULTS.settings.fetchConcurrency})
  --preprocess N        preprocess.concurrency (default ${BENCH_DEFAULTS.settings.preprocessConcurrency})
  --job-tms N           task managers of the job section (default ${BENCH_DEFAULTS.job.taskManagers})
  --job-split N         split size of the job section (default ${BENCH_DEFAULTS.job.splitSize})
  --sections a,b        run only these sections
  --no-naive            skip the naive loop
  --sweep               compare sessions × threads settings, each in its own process
  --reuse-model         keep bench-output/model if present
  --json-out FILE       also write the JSON report to FILE`;

const positiveInt = (max: number) => z.coerce.number().int().min(1).max(max);

const Schema = z.strictObject({
  images: positiveInt(100_000).min(16),
  rounds: positiveInt(20),
  latencyMs: z.coerce.number().int().min(0).max(10_000),
  sessions: positiveInt(16),
  threads: positiveInt(64),
  spinning: z.enum(['0', '1']),
  runner: z.enum(['worker', 'main']),
  batch: positiveInt(1024),
  fetch: positiveInt(1024),
  preprocess: positiveInt(256),
  jobTms: positiveInt(64),
  jobSplit: positiveInt(100_000),
});

export function compileBenchOptions(argv: readonly string[]): BenchOptions {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    throw new BenchOptionsError(`${(err as Error).message}\n${USAGE}`);
  }
  const { values } = parsed;
  const d = BENCH_DEFAULTS;
  const raw = {
    images: values.images ?? d.images,
    rounds: values.rounds ?? d.rounds,
    latencyMs: values['latency-ms'] ?? d.latencyMs,
    sessions: values.sessions ?? d.settings.sessions,
    threads: values.threads ?? d.settings.intraOpThreads,
    spinning: values.spinning ?? (d.settings.allowSpinning ? '1' : '0'),
    runner: values.runner ?? d.settings.runner,
    batch: values.batch ?? d.settings.batchSize,
    fetch: values.fetch ?? d.settings.fetchConcurrency,
    preprocess: values.preprocess ?? d.settings.preprocessConcurrency,
    jobTms: values['job-tms'] ?? d.job.taskManagers,
    jobSplit: values['job-split'] ?? d.job.splitSize,
  };
  const res = Schema.safeParse(raw);
  if (!res.success) {
    const issue = res.error.issues[0]!;
    const field = String(issue.path[0]);
    const flag = FLAG_OF[field] ?? field;
    throw new BenchOptionsError(`--${flag} = ${JSON.stringify((raw as Record<string, unknown>)[field])}: ${issue.message}\n${USAGE}`);
  }
  const o = res.data;
  return {
    images: o.images,
    rounds: o.rounds,
    latencyMs: o.latencyMs,
    settings: {
      sessions: o.sessions,
      intraOpThreads: o.threads,
      allowSpinning: o.spinning === '1',
      runner: o.runner,
      batchSize: o.batch,
      fetchConcurrency: o.fetch,
      preprocessConcurrency: o.preprocess,
    },
    job: { taskManagers: o.jobTms, splitSize: o.jobSplit },
    sections: (values.sections ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    naive: values['no-naive'] !== true,
    sweep: values.sweep === true,
    reuseModel: values['reuse-model'] === true,
    jsonOut: values['json-out'],
  };
}

const FLAG_OF: Readonly<Record<string, string>> = { latencyMs: 'latency-ms', jobTms: 'job-tms', jobSplit: 'job-split' };

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      images: { type: 'string' },
      rounds: { type: 'string' },
      'latency-ms': { type: 'string' },
      sessions: { type: 'string' },
      threads: { type: 'string' },
      spinning: { type: 'string' },
      runner: { type: 'string' },
      batch: { type: 'string' },
      fetch: { type: 'string' },
      preprocess: { type: 'string' },
      'job-tms': { type: 'string' },
      'job-split': { type: 'string' },
      sections: { type: 'string' },
      'no-naive': { type: 'boolean' },
      sweep: { type: 'boolean' },
      'reuse-model': { type: 'boolean' },
      'json-out': { type: 'string' },
    },
  });
}

/** The flags that reproduce `settings` (for the sweep's children and the printed header). */
export function settingsFlags(s: BenchSettings): string[] {
  return [
    '--sessions', String(s.sessions),
    '--threads', String(s.intraOpThreads),
    '--spinning', s.allowSpinning ? '1' : '0',
    '--runner', s.runner,
    '--batch', String(s.batchSize),
    '--fetch', String(s.fetchConcurrency),
    '--preprocess', String(s.preprocessConcurrency),
  ];
}
