/**
 * `npm run bench -- --sweep`: section 1 (bound and pipeline, one round, no naive loop) once per
 * sessions × threads setting, each in a fresh child process — onnxruntime keeps one thread
 * setting per process (STACK.md), so settings measured side by side in one process would
 * disturb each other. Prints one comparison table; the best setting goes into defaults.ts.
 */
import { fork } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareDataset, prepareModel } from './assets.js';
import { BENCH_DEFAULTS } from './defaults.js';
import { settingsFlags, type BenchOptions, type BenchSettings } from './options.js';
import type { SectionReport, TableRow } from './section.js';
import { TASK_RUNTIME_SECTION_ID } from './sections/task-runtime/index.js';
import { fmt } from './stats.js';
import { renderTable } from './table.js';

interface SweepEntry {
  settings: BenchSettings;
  figures: Record<string, number>;
  details: Record<string, unknown>;
}

function runChild(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL('./run.ts', import.meta.url)), args, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`sweep child ${args.join(' ')} ended with ${signal ?? String(code)}`))));
  });
}

function cpuPerImage(e: SweepEntry, round: { pipeline: { cpu: { ownCores: number } }; bound: { cpu: { ownCores: number } } }): string {
  const per = (cores: number, rate: number | undefined) => ((cores * 1000) / (rate ?? Number.NaN)).toFixed(1);
  return `${per(round.bound.cpu.ownCores, e.figures.boundImagesPerSecond)} / ${per(round.pipeline.cpu.ownCores, e.figures.pipelineImagesPerSecond)} core-ms`;
}

export async function runSweep(options: BenchOptions, outDir: string, log: (line: string) => void): Promise<void> {
  const images = BENCH_DEFAULTS.sweep.images;
  // Assets once here; the children reuse them.
  await prepareModel(outDir, options.reuseModel);
  await prepareDataset(outDir, images);
  const entries: SweepEntry[] = [];
  for (const { runner, sessions, intraOpThreads } of BENCH_DEFAULTS.sweep.settings) {
    const settings: BenchSettings = { ...options.settings, runner, sessions, intraOpThreads };
    const jsonOut = path.join(outDir, `sweep-child-${process.pid}.json`);
    log(`sweep: runner ${runner}, ${sessions} session(s) × ${intraOpThreads} thread(s), ${images} images`);
    const args = ['--sections', TASK_RUNTIME_SECTION_ID, '--images', String(images), '--rounds', '1', '--no-naive', '--reuse-model'];
    args.push('--latency-ms', String(options.latencyMs), '--json-out', jsonOut, ...settingsFlags(settings));
    await runChild(args);
    const report = (JSON.parse(await readFile(jsonOut, 'utf8')) as { sections: SectionReport[] }).sections[0]!;
    await rm(jsonOut, { force: true });
    entries.push({ settings, figures: report.figures, details: report.details });
  }

  const rows: TableRow[] = entries.map((e) => {
    type Cpu = { cpu: { ownCores: number; otherCores: number } };
    const round = (e.details.rounds as Array<{ pipeline: { sessionUtilisation: number } & Cpu; bound: Cpu }>)[0]!;
    return {
      label: `${e.settings.runner}: ${e.settings.sessions} session(s) × ${e.settings.intraOpThreads} thread(s)`,
      value: `bound ${fmt.rate(e.figures.boundImagesPerSecond ?? Number.NaN)}, pipeline ${fmt.rate(e.figures.pipelineImagesPerSecond ?? Number.NaN)}`,
      note: `ratio ${fmt.ratio(e.figures.pipelineToBound ?? Number.NaN)}, CPU/img ${cpuPerImage(e, round)}, session busy ${fmt.pct(round.pipeline.sessionUtilisation)}, cores ours ${round.bound.cpu.ownCores.toFixed(2)} / ${round.pipeline.cpu.ownCores.toFixed(2)}, others ${round.bound.cpu.otherCores.toFixed(2)} / ${round.pipeline.cpu.otherCores.toFixed(2)} (bound / pipeline)`,
    };
  });
  const s = options.settings;
  process.stdout.write(`\n${renderTable(`Sweep: sessions × intra-op threads (batch ${s.batchSize}, fetch ${s.fetchConcurrency}, preprocess ${s.preprocessConcurrency}, ${images} images, 1 round each)`, rows)}\n`);
  const file = path.join(outDir, `sweep-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(file, `${JSON.stringify({ options, entries }, null, 2)}\n`);
  process.stdout.write(`JSON: ${path.relative(path.dirname(outDir), file)}\n`);
}
