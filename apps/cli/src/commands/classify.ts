/**
 * `offsample classify <inputs-file>`: classifies every input of a file in this process (one task
 * manager, static mode) and writes one JSON line per input, in input order.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { optionalString, parseCommandArgs } from '../args.js';
import { readConfigFile, runClassification } from '../classify-run.js';
import { CliError, CliErrorCode, errorMessage, usageError } from '../errors.js';
import { readInputsFile } from '../inputs-file.js';
import { printSummary } from '../summary.js';
import type { Command } from './command.js';

const NAME = 'classify';

const USAGE = `Usage: offsample classify <inputs-file> [options]

Classifies images in this process and writes one JSON line per input, in input order:
  {"index":0,"input":"...","label":"off","probabilities":{"on":0.1,"off":0.9}}
  {"index":1,"input":"...","error":{"code":"NOT_FOUND","message":"..."}}

<inputs-file>  one input per line: http(s):// URL, s3://bucket/key or local path
               (relative to the current folder); blank lines and # comments are
               skipped; '-' reads standard input

Options:
  --out FILE         write results to FILE (default: standard output)
  --config FILE      task-manager config (JSON: {load, preprocess, predict, queues})
  --model DIR        model directory (default: the shipped model)
  --allow-loopback   allow URLs on 127.0.0.0/8 and ::1 (off by default)
  --quiet            no progress bar and no summary
  -h, --help         show this help

Progress and the summary go to standard error. The exit code is 0 even when some
inputs fail (their lines carry the error); 2 for usage or config errors.`;

async function ensureParentDir(file: string): Promise<void> {
  try {
    await mkdir(path.dirname(path.resolve(file)), { recursive: true });
  } catch (err) {
    throw new CliError(CliErrorCode.InputFile, `--out ${file}: cannot create its folder: ${errorMessage(err)}`, { cause: err });
  }
}

export const classifyCommand: Command = {
  name: NAME,
  summary: 'classify a list of images in this process, writing JSONL results',
  usage: USAGE,
  async run(argv, io) {
    const args = parseCommandArgs(
      NAME,
      argv,
      {
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
    const inputsFile = args.positionals[0];
    if (inputsFile === undefined) {
      throw usageError(`offsample ${NAME}: missing <inputs-file>\nRun 'offsample ${NAME} --help' for usage.`);
    }
    const configFile = optionalString(args.values, 'config');
    // Validate the config before reading a possibly huge inputs file.
    const config = configFile === undefined ? undefined : await readConfigFile(configFile);
    const inputs = await readInputsFile(inputsFile);
    const out = optionalString(args.values, 'out');
    if (out !== undefined) await ensureParentDir(out);
    const quiet = args.values.quiet === true;
    const modelDir = optionalString(args.values, 'model');

    const { stats } = await runClassification({
      inputs,
      config,
      configSource: configFile,
      allowLoopback: args.values['allow-loopback'] === true,
      modelDir: modelDir === undefined ? undefined : path.resolve(modelDir),
      out: out ?? io.stdout,
      progressStream: quiet ? null : io.stderr,
      progressLabel: NAME,
    });
    if (!quiet) printSummary(stats, { resultsPath: out === undefined ? null : path.resolve(out) }, io.stderr);
    return 0;
  },
};
