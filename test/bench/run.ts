/**
 * `npm run bench`: prepares the shared assets (ResNet-50-shaped model, image set, image server
 * with added latency in a child process), runs the sections of sections/index.ts in order, prints
 * one table per section and writes everything as JSON to bench-output/ (git-ignored).
 * Benchmarks print figures; they never assert timings (the machine is shared and noisy).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareDataset, prepareModel } from './assets.js';
import { BENCH_DEFAULTS } from './defaults.js';
import { startImageServer } from './image-server.js';
import { BenchOptionsError, compileBenchOptions, type BenchOptions } from './options.js';
import type { BenchContext, Section, SectionReport } from './section.js';
import { SECTIONS } from './sections/index.js';
import { fmt } from './stats.js';
import { runSweep } from './sweep.js';
import { renderTable } from './table.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

function selectSections(ids: readonly string[]): Section[] {
  if (ids.length === 0) return [...SECTIONS];
  const known = new Map(SECTIONS.map((s) => [s.id, s]));
  return ids.map((id) => {
    const section = known.get(id);
    if (section === undefined) throw new BenchOptionsError(`--sections: unknown section '${id}' (known: ${[...known.keys()].join(', ')})`);
    return section;
  });
}

function machine() {
  const cpus = os.cpus();
  return { cpus: cpus.length, cpuModel: cpus[0]?.model ?? 'unknown', loadavg: os.loadavg().map((v) => Math.round(v * 100) / 100), node: process.version };
}

async function runSections(options: BenchOptions, outDir: string): Promise<void> {
  const sections = selectSections(options.sections);
  const startedAt = new Date();
  const machineAtStart = machine();
  log(`${machineAtStart.cpus} × ${machineAtStart.cpuModel}, load average ${machineAtStart.loadavg.join(' ')} (shared machine: figures are noisy)`);
  const model = await prepareModel(outDir, options.reuseModel);
  log(`model ${model.generated ? 'generated' : 'reused'} in ${fmt.s(model.ms)}: ${path.relative(REPO_ROOT, model.modelPath)}`);
  const dataset = await prepareDataset(outDir, options.images);
  log(`${dataset.files.length} images ${dataset.generated ? 'generated' : 'reused'} in ${fmt.s(dataset.ms)}: ${path.relative(REPO_ROOT, dataset.dir)}`);
  const server = await startImageServer(dataset.dir, options.latencyMs);
  log(`image server ${server.url} (+${options.latencyMs} ms per request, own process)`);

  const reports = new Map<string, SectionReport>();
  try {
    const ctx: BenchContext = { options, outDir, model, dataset, server, urls: dataset.files.map((f) => server.urlFor(f)), reports, log };
    for (const section of sections) {
      log(`section ${section.id}: ${section.title}`);
      const report = await section.run(ctx);
      reports.set(section.id, report);
      process.stdout.write(`\n${renderTable(report.title, report.table)}\n`);
      for (const note of report.notes) process.stdout.write(`  · ${note}\n`);
    }
  } finally {
    await server.close();
  }

  const s = options.settings;
  process.stdout.write(
    `\nsettings: predict.sessions ${s.sessions} × intraOpThreads ${s.intraOpThreads}, allowSpinning ${s.allowSpinning}, runner ${s.runner}, batchSize ${s.batchSize}, ` +
      `load.maxConcurrency ${s.fetchConcurrency}, preprocess.concurrency ${s.preprocessConcurrency}; ` +
      `${options.images} images, +${options.latencyMs} ms per request, ${options.rounds} round(s)\n`,
  );
  const json = {
    startedAt: startedAt.toISOString(),
    endedAt: new Date().toISOString(),
    machine: { ...machineAtStart, loadavgAtEnd: machine().loadavg },
    options,
    assets: {
      model: { path: model.modelPath, generated: model.generated, ms: Math.round(model.ms) },
      dataset: { dir: dataset.dir, images: dataset.files.length, generated: dataset.generated, ms: Math.round(dataset.ms) },
    },
    sections: [...reports.values()],
  };
  const file = path.join(outDir, `bench-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  const text = `${JSON.stringify(json, null, 2)}\n`;
  await writeFile(file, text);
  await writeFile(path.join(outDir, 'latest.json'), text);
  if (options.jsonOut !== undefined) await writeFile(options.jsonOut, text);
  process.stdout.write(`JSON: ${path.relative(REPO_ROOT, file)} (also bench-output/latest.json)\n`);
}

async function main(): Promise<void> {
  const options = compileBenchOptions(process.argv.slice(2));
  const outDir = path.join(REPO_ROOT, BENCH_DEFAULTS.outDir);
  await mkdir(outDir, { recursive: true });
  if (options.sweep) await runSweep(options, outDir, log);
  else await runSections(options, outDir);
}

main().catch((err: unknown) => {
  if (err instanceof BenchOptionsError) {
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 2;
    return;
  }
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
