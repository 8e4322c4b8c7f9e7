/**
 * Section 1's printed table and its analysis notes. The ratio pipeline / bound splits into two
 * factors (exact with one session): how much of the wall time the session was inferring
 * (utilisation) × how fast it inferred compared with the bound (bound ms/img ÷ pipeline ms/img).
 * The first shows input starvation (fetch / decode / batch gaps), the second CPU competition.
 */
import type { TableRow } from '../../section.js';
import { DISTURBED_OTHER_CORES } from '../../cpu-meter.js';
import { fmt, mean, median } from '../../stats.js';
import type { TaskRuntimeMeasurements } from './index.js';

/** Issue 2 item 7: "Target: at least 0.90 of the bound." */
const TARGET_RATIO = 0.9;

export function describeRun(
  m: TaskRuntimeMeasurements,
  headline: { pipelineRate: number; boundRate: number; ratio: number; batchSize: number },
): { table: TableRow[]; notes: string[] } {
  const { pipelineRate, boundRate, ratio, batchSize } = headline;
  const list = (values: number[], f: (v: number) => string) => values.map(f).join(', ');
  const pipes = m.rounds.map((r) => r.pipeline);
  const bounds = m.rounds.map((r) => r.bound);
  const perRound = m.rounds.length > 1;

  const clean = m.allRounds.filter((r) => !r.disturbed).length;
  const table: TableRow[] = [
    {
      label: 'rounds used',
      value: `${m.rounds.length} of ${m.allRounds.length}`,
      note:
        clean > 0
          ? `undisturbed rounds only (others ≤ ${DISTURBED_OTHER_CORES} cores); per round, others bound/pipeline: ${m.allRounds.map((r) => `${r.bound.cpu.otherCores.toFixed(2)}/${r.pipeline.cpu.otherCores.toFixed(2)}`).join(', ')}`
          : `EVERY round disturbed (other processes > ${DISTURBED_OTHER_CORES} cores): figures unreliable`,
    },
    { label: '(a) end-to-end, task runtime pipeline', value: fmt.rate(pipelineRate), note: perRound ? `median of ${list(pipes.map((p) => p.imagesPerSecond), (v) => v.toFixed(1))}` : undefined },
    { label: '(b) model-only bound (pre-decoded tensors)', value: fmt.rate(boundRate), note: perRound ? `median of ${list(bounds.map((b) => b.imagesPerSecond), (v) => v.toFixed(1))}` : undefined },
    {
      label: '(c) pipeline / bound',
      value: fmt.ratio(ratio),
      note: `${ratio >= TARGET_RATIO ? 'meets' : 'SHORT of'} the ${TARGET_RATIO.toFixed(2)} target${perRound ? `; per round ${list(m.rounds.map((r) => r.ratio), fmt.ratio)}` : ''}`,
    },
  ];
  if (m.naive !== undefined) {
    const n = m.naive;
    table.push(
      { label: '(d) naive loop (fetch, decode, infer 1 by 1)', value: fmt.rate(n.imagesPerSecond), note: `per image: fetch ${fmt.ms(n.meanFetchMs)}, decode ${fmt.ms(n.meanDecodeMs)}, infer ${fmt.ms(n.meanInferMs)}` },
      { label: '    pipeline / naive', value: `${(pipelineRate / n.imagesPerSecond).toFixed(2)}×` },
    );
  }
  const util = median(pipes.map((p) => p.sessionUtilisation));
  const pipeInfer = median(pipes.map((p) => p.inferMsPerImage));
  const boundInfer = median(bounds.map((b) => b.inferMsPerImage));
  table.push(
    { label: 'pipeline: session busy (utilisation)', value: fmt.pct(util), note: 'share of wall time inside session.run, per session' },
    { label: 'pipeline: inference per image', value: fmt.ms(pipeInfer), note: `bound: ${fmt.ms(boundInfer)} (slower = CPU taken by fetch/decode)` },
    { label: 'pipeline: mean batch', value: median(pipes.map((p) => p.meanBatchSize)).toFixed(2), note: `${median(pipes.map((p) => p.batches))} session.run calls` },
    { label: 'pipeline: mean fetch / preprocess', value: `${fmt.ms(median(pipes.map((p) => p.meanFetchMs)))} / ${fmt.ms(median(pipes.map((p) => p.meanPreprocessMs)))}`, note: 'per image, queueing included' },
    {
      label: 'cores used by us: pipeline / bound',
      value: `${median(pipes.map((p) => p.cpu.ownCores)).toFixed(2)} / ${median(bounds.map((b) => b.cpu.ownCores)).toFixed(2)}`,
      note: 'this process: CPU time ÷ wall',
    },
    {
      label: 'CPU per image: pipeline / bound',
      value: `${median(pipes.map((p) => (p.cpu.ownCores * 1000) / p.imagesPerSecond)).toFixed(1)} / ${median(bounds.map((b) => (b.cpu.ownCores * 1000) / b.imagesPerSecond)).toFixed(1)} core-ms`,
      note: 'cores used by us ÷ images/s: what fetch + decode add to inference',
    },
    {
      label: 'cores used by others: pipeline / bound',
      value: `${median(pipes.map((p) => p.cpu.otherCores)).toFixed(2)} / ${median(bounds.map((b) => b.cpu.otherCores)).toFixed(2)}`,
      note: `rest of the machine (image server + other users); > ${DISTURBED_OTHER_CORES} marks a round disturbed`,
    },
  );
  const errorCount = pipes.reduce((sum, p) => sum + Object.values(p.errors).reduce((a, b) => a + b, 0), 0);
  if (errorCount > 0) table.push({ label: 'pipeline: item errors', value: String(errorCount), note: JSON.stringify(pipes.map((p) => p.errors)) });

  const notes: string[] = [];
  const starvation = 1 - util;
  const slowdown = 1 - boundInfer / pipeInfer;
  if (ratio >= 1) {
    notes.push('The pipeline matched the bound: the difference is within the noise of this machine.');
  } else {
    notes.push(
      `Of the ${fmt.pct(1 - ratio)} lost against the bound: the session sat idle ${fmt.pct(starvation)} of the wall time ` +
        `(waiting for tensors or for the event loop between batches), and inferred ${fmt.pct(Math.max(0, slowdown))} slower ` +
        `than in the bound (its cores shared with fetch, decode and the event loop).`,
    );
  }
  if (mean(pipes.map((p) => p.meanBatchSize)) < 0.75 * batchSize) {
    notes.push('Batches ran well below predict.batchSize: the infer stage often found fewer tensors waiting than a full batch.');
  }
  return { table, notes };
}
