/**
 * Section 1 (issue 2 item 7): the task runtime against its model-only bound and a naive loop,
 * all on one session pool (same sessions and intra-op threads) in this one process.
 * Each of `rounds` rounds measures half the bound, the pipeline, then the other half of the bound
 * (so drift in the machine's speed hits both alike); the ratio is taken per round and the median
 * reported.
 */
import { createSessionPool } from '@offsample/task-runtime';
import { DISTURBED_OTHER_CORES } from '../../cpu-meter.js';
import { BENCH_DEFAULTS } from '../../defaults.js';
import type { BenchContext, Section, SectionReport } from '../../section.js';
import { fmt, median, round } from '../../stats.js';
import { combineBounds, measureBound, warmUpSessions, type BoundFigure } from './bound.js';
import { measureNaive, type NaiveFigure } from './naive.js';
import { measurePipeline, pipelineConfig, type PipelineFigure } from './pipeline.js';
import { describeRun } from './report.js';
import { decodeAll } from './tensors.js';

export interface Round {
  bound: BoundFigure;
  pipeline: PipelineFigure;
  ratio: number;
  /** Other processes kept more than DISTURBED_OTHER_CORES busy during the bound or the pipeline. */
  disturbed: boolean;
}

export interface TaskRuntimeMeasurements {
  /** The rounds the headline figures come from: the undisturbed ones, or all when every round was. */
  rounds: Round[];
  allRounds: Round[];
  naive: NaiveFigure | undefined;
}

/** Figures later sections may read from `ctx.reports.get(TASK_RUNTIME_SECTION_ID).figures`. */
export const TASK_RUNTIME_SECTION_ID = 'task-runtime';

export const taskRuntimeSection: Section = {
  id: TASK_RUNTIME_SECTION_ID,
  title: 'Task runtime (issue 2 item 7): pipeline vs model-only bound vs naive loop',
  async run(ctx: BenchContext): Promise<SectionReport> {
    const { settings, images, rounds: roundCount } = ctx.options;
    const pool = await createSessionPool(ctx.model, { sessions: settings.sessions, intraOpThreads: settings.intraOpThreads, allowSpinning: settings.allowSpinning, runner: settings.runner });
    try {
      ctx.log(`decoding ${images} images into tensors for the bound`);
      const tensors = await decodeAll(ctx.dataset.dir, ctx.dataset.files.slice(0, images), ctx.model.manifest);
      ctx.log('warming up the sessions');
      await warmUpSessions(pool, tensors, settings.batchSize, BENCH_DEFAULTS.warmup.batchesPerSession);

      const rounds: Round[] = [];
      // The bound brackets the pipeline: half its tensors just before, half just after. This
      // machine's speed drifts by ±10 % over a minute (other tenants of the host, invisible in
      // /proc/stat), and a bound taken on one side only would carry that drift into the ratio.
      const half = Math.ceil(tensors.length / 2);
      for (let r = 0; r < roundCount; r++) {
        const before = await measureBound(pool, tensors.slice(0, half), settings.batchSize);
        const pipeline = await measurePipeline(ctx.model, pool, settings, ctx.urls, BENCH_DEFAULTS.warmup.pipelineItems);
        const after = await measureBound(pool, tensors.slice(half), settings.batchSize);
        const bound = combineBounds(before, after);
        ctx.log(`round ${r + 1}/${roundCount}: bound ${fmt.rate(before.imagesPerSecond)} before, ${fmt.rate(after.imagesPerSecond)} after; pipeline ${fmt.rate(pipeline.imagesPerSecond)}`);
        const disturbed = Math.max(bound.cpu.otherCores, pipeline.cpu.otherCores) > DISTURBED_OTHER_CORES;
        rounds.push({ bound, pipeline, ratio: pipeline.imagesPerSecond / bound.imagesPerSecond, disturbed });
      }

      let naive: NaiveFigure | undefined;
      if (ctx.options.naive) {
        ctx.log(`naive loop over ${images} images`);
        naive = await measureNaive(pool, ctx.urls);
      }
      const clean = rounds.filter((r) => !r.disturbed);
      return buildReport(ctx, { rounds: clean.length > 0 ? clean : rounds, allRounds: rounds, naive });
    } finally {
      await pool.release();
    }
  },
};

function buildReport(ctx: BenchContext, m: TaskRuntimeMeasurements): SectionReport {
  const pipelineRate = median(m.rounds.map((r) => r.pipeline.imagesPerSecond));
  const boundRate = median(m.rounds.map((r) => r.bound.imagesPerSecond));
  const ratio = median(m.rounds.map((r) => r.ratio));
  const figures: Record<string, number> = {
    pipelineImagesPerSecond: round(pipelineRate),
    boundImagesPerSecond: round(boundRate),
    pipelineToBound: round(ratio, 3),
    undisturbedRounds: m.allRounds.filter((r) => !r.disturbed).length,
  };
  if (m.naive !== undefined) {
    figures.naiveImagesPerSecond = round(m.naive.imagesPerSecond);
    figures.pipelineToNaive = round(pipelineRate / m.naive.imagesPerSecond, 2);
  }
  const { table, notes } = describeRun(m, { pipelineRate, boundRate, ratio, batchSize: ctx.options.settings.batchSize });
  return {
    id: TASK_RUNTIME_SECTION_ID,
    title: taskRuntimeSection.title,
    settings: { ...ctx.options.settings, images: ctx.options.images, rounds: ctx.options.rounds, latencyMs: ctx.options.latencyMs, config: pipelineConfig(ctx.options.settings) },
    figures,
    table,
    notes,
    details: { rounds: m.allRounds, headlineRounds: m.allRounds.map((r) => m.rounds.includes(r)), naive: m.naive },
  };
}
