/**
 * `offsample run <inputs-file>`: a job through the orchestrator — split, pulled by local task
 * managers (child processes), every result stored in Postgres and exported as JSONL + summary.
 */
import path from 'node:path';
import { intFlag, optionalString, parseCommandArgs } from '../args.js';
import { effectiveConfig, readConfigFile } from '../classify-run.js';
import { usageError } from '../errors.js';
import { readInputsFile } from '../inputs-file.js';
import { formatJobSummary, runJobThroughOrchestrator } from '../orchestrated-run.js';
import type { Command } from './command.js';

const NAME = 'run';

const USAGE = `Usage: offsample run <inputs-file> [options]

Runs a job through the orchestrator on local task managers (child processes). Results are
stored in Postgres (DATABASE_URL, or an embedded server in <repo>/.data/postgres) and written
to <out>/results.jsonl (one line per input, in input order) with <out>/summary.json.

Options:
  --name NAME          job name (default: the inputs file name)
  --task-managers N    task managers (default: the policy's choice, capped by --max-task-managers)
  --max-task-managers N  local task managers at once (default 4)
  --split-size N       inputs per split (default: one split per task manager)
  --split-mode MODE    dynamic (task managers pull splits; default) or static
  --max-split-retries N  retries of a split after a lost task manager (default 1)
  --out DIR            output folder (default offsample-results/<name>)
  --config FILE        task-manager config (JSON: {load, preprocess, predict, queues})
  --model DIR          model directory (default: the shipped model)
  --allow-loopback     allow URLs on 127.0.0.0/8 and ::1
  --quiet              no progress bar
  -h, --help           show this help`;

export const runCommand: Command = {
  name: NAME,
  summary: 'run a job through the orchestrator on local task managers',
  usage: USAGE,
  async run(argv, io) {
    const args = parseCommandArgs(
      NAME,
      argv,
      {
        name: { type: 'string' },
        'task-managers': { type: 'string' },
        'max-task-managers': { type: 'string' },
        'split-size': { type: 'string' },
        'split-mode': { type: 'string' },
        'max-split-retries': { type: 'string' },
        out: { type: 'string', short: 'o' },
        config: { type: 'string', short: 'c' },
        model: { type: 'string' },
        'allow-loopback': { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
      },
      1,
    );
    if (args.help) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const file = args.positionals[0];
    if (file === undefined) throw usageError(`offsample ${NAME}: missing <inputs-file>\nRun 'offsample ${NAME} --help' for usage.`);
    const splitMode = optionalString(args.values, 'split-mode') ?? 'dynamic';
    if (splitMode !== 'dynamic' && splitMode !== 'static') throw usageError(`offsample ${NAME}: --split-mode must be dynamic or static (got ${JSON.stringify(splitMode)})`);
    const inputs = await readInputsFile(file);
    const configFile = optionalString(args.values, 'config');
    const config = effectiveConfig(configFile ? await readConfigFile(configFile) : undefined, args.values['allow-loopback'] === true);
    const name = optionalString(args.values, 'name') ?? path.basename(file).replace(/\.[^.]*$/, '');
    const out = path.resolve(optionalString(args.values, 'out') ?? path.join('offsample-results', name));
    const model = optionalString(args.values, 'model');
    const numTaskManagers = intFlag(NAME, args.values, 'task-managers', undefined, { min: 1, max: 10_000 });
    const splitSize = intFlag(NAME, args.values, 'split-size', undefined, { min: 1, max: 5_000 });
    const maxSplitRetries = intFlag(NAME, args.values, 'max-split-retries', undefined, { min: 0, max: 100 });
    const maxTaskManagers = intFlag(NAME, args.values, 'max-task-managers', numTaskManagers ?? 4, { min: 1, max: 256 });

    const summary = await runJobThroughOrchestrator({
      job: {
        name,
        inputs,
        splitMode,
        output: { storage: 'local', location: out },
        taskManagerConfig: config as Record<string, unknown>,
        ...(model ? { model: { dir: path.resolve(model) } } : {}),
        ...(numTaskManagers ? { numTaskManagers } : { numTaskManagers: maxTaskManagers }),
        ...(splitSize ? { splitSize } : {}),
        ...(maxSplitRetries !== undefined ? { maxSplitRetries } : {}),
      },
      maxTaskManagers,
      io,
      label: NAME,
      quiet: args.values.quiet === true,
    });
    io.stderr.write(formatJobSummary(summary, [['results', summary.output.location ?? out]]));
    return summary.status === 'SUCCEEDED' ? 0 : 1;
  },
};
