/**
 * In-process classification shared by `classify` and `demo`: one task manager in static mode with
 * the whole input list as one split, outcomes streamed to an ordered JSONL writer, a progress bar
 * and run counters. Config problems surface as CliError CONFIG (exit code 2) before any work starts.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { defaultModelDir, loadModel } from '@offsample/model';
import {
  compileTaskManagerConfig,
  releaseCachedSessions,
  runTaskManager,
  type ItemOutcome,
  type TaskManagerConfigInput,
} from '@offsample/task-runtime';
import { CliError, CliErrorCode, errorMessage } from './errors.js';
import { createOrderedJsonlWriter, type ResultRecord } from './jsonl-writer.js';
import { createProgressBar } from './progress-bar.js';
import { createRunStats, recordError, recordLabel, type RunStats } from './summary.js';

export interface ClassifyRunOptions {
  inputs: string[];
  /** Parsed task-manager config (from --config), validated here. */
  config?: TaskManagerConfigInput;
  /** Where the config came from, for error messages (e.g. the file name). */
  configSource?: string;
  /** Lets the runtime fetch from 127.0.0.0/8 and ::1 (the demo's local server). */
  allowLoopback?: boolean;
  /** Model directory; default: the shipped model. */
  modelDir?: string;
  /** JSONL destination: a file path, or a stream (stdout) left open. */
  out: string | Writable;
  /** Progress goes here (normally stderr); null = no progress output. */
  progressStream: (Writable & { isTTY?: boolean; columns?: number }) | null;
  progressLabel?: string;
  /** Called once per outcome after it is counted (the demo scores accuracy with it). */
  onOutcome?: (outcome: ItemOutcome) => void;
}

export interface ClassifyRunResult {
  stats: RunStats;
  /** Model labels in output order. */
  labels: string[];
}

/** Reads and validates a task-manager config file; errors name the file and the bad field. */
export async function readConfigFile(file: string): Promise<TaskManagerConfigInput> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new CliError(CliErrorCode.Config, `cannot read config file ${file}: ${errorMessage(err)}`, { cause: err });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CliError(CliErrorCode.Config, `config file ${file} is not valid JSON: ${errorMessage(err)}`, { cause: err });
  }
  checkConfig(raw, file);
  return raw as TaskManagerConfigInput;
}

function checkConfig(raw: unknown, source: string): void {
  try {
    compileTaskManagerConfig(raw);
  } catch (err) {
    throw new CliError(CliErrorCode.Config, `${source}: ${errorMessage(err)}`, { cause: err });
  }
}

/**
 * The config the task manager gets: the user's, plus what running on the user's own machine means.
 * Local paths are allowed unless the config says otherwise (the CLI reads the user's own files);
 * loopback only when asked, because a URL list from elsewhere could aim at local services.
 */
export function effectiveConfig(given: TaskManagerConfigInput | undefined, allowLoopback: boolean): TaskManagerConfigInput {
  const load = { ...given?.load };
  load.allowLocalFiles ??= true;
  if (allowLoopback) load.allowLoopback = true;
  return { ...given, load };
}

function toRecord(outcome: ItemOutcome, input: string, labels: string[]): ResultRecord {
  if (outcome.label !== null && outcome.errorCode === null) {
    const p = outcome.probabilities;
    const probabilities =
      p && p.length === labels.length ? Object.fromEntries(labels.map((l, i) => [l, p[i] ?? 0])) : p;
    return { index: outcome.index, input, label: outcome.label, probabilities };
  }
  return {
    index: outcome.index,
    input,
    error: { code: outcome.errorCode ?? 'INTERNAL', message: outcome.errorMessage ?? 'no result and no error given' },
  };
}

export async function runClassification(options: ClassifyRunOptions): Promise<ClassifyRunResult> {
  const { inputs } = options;
  const config = effectiveConfig(options.config, options.allowLoopback ?? false);
  checkConfig(config, options.configSource ?? 'config');
  const modelDir = options.modelDir ?? defaultModelDir();
  let labels: string[];
  try {
    labels = (await loadModel(modelDir)).manifest.labels;
  } catch (err) {
    throw new CliError(CliErrorCode.Config, `model ${modelDir}: ${errorMessage(err)}`, { cause: err });
  }

  const stats = createRunStats(inputs.length);
  const writer = createOrderedJsonlWriter(options.out, inputs.length);
  const progress = options.progressStream
    ? createProgressBar({ total: inputs.length, stream: options.progressStream, label: options.progressLabel ?? '' })
    : null;
  const seen = new Uint8Array(inputs.length);
  const startedAt = performance.now();

  const accept = (outcome: ItemOutcome): void => {
    const input = inputs[outcome.index];
    // Each index counts once: a runtime that repeated an outcome must not skew the counts.
    if (input === undefined || seen[outcome.index] === 1) return;
    seen[outcome.index] = 1;
    const record = toRecord(outcome, input, labels);
    if ('error' in record) recordError(stats, record.error.code);
    else recordLabel(stats, record.label);
    writer.write(record);
    progress?.tick('error' in record);
    options.onOutcome?.(outcome);
  };

  try {
    const jobId = `cli-${randomUUID()}`;
    const result = await runTaskManager(
      {
        version: 1,
        jobId,
        taskManagerId: `${jobId}-tm0`,
        mode: 'static',
        split: { splitId: `${jobId}-split0`, items: inputs.map((input, index) => ({ index, input })) },
        config,
        model: { dir: modelDir },
      },
      { onOutcome: accept },
    );
    // Outcomes missed by the callback (if any) are taken from the returned list.
    for (const outcome of result.outcomes) accept(outcome);
  } catch (err) {
    progress?.stop();
    throw new CliError(CliErrorCode.Failed, `classification failed: ${errorMessage(err)}`, { cause: err });
  } finally {
    // The runtime caches inference sessions for warm Lambdas; a CLI run is done with them.
    await releaseCachedSessions();
  }
  // Anything the runtime never reported still gets a line: no input is silently lost.
  for (let i = 0; i < inputs.length; i++) {
    if (seen[i] === 0) {
      accept({
        index: i,
        input: inputs[i] ?? '',
        label: null,
        probabilities: null,
        errorCode: 'INTERNAL',
        errorMessage: 'the task manager returned no outcome for this input',
      });
    }
  }
  stats.wallMs = performance.now() - startedAt;
  progress?.stop();
  await writer.close();
  return { stats, labels };
}
