/**
 * `offsample submit <inputs-file>`: a job to a running gateway over GraphQL (`submitJob`). Prints
 * the job id on stdout; with --wait follows `jobProgress` with the progress bar, prints the
 * summary, and exits 1 unless the job SUCCEEDED. Settings the gateway refuses come back naming the
 * field (and the flag that set it), exit code 2.
 */
import path from 'node:path';
import { intFlag, optionalString, parseCommandArgs, type ParsedArgs } from '../args.js';
import { effectiveConfig, readConfigFile } from '../classify-run.js';
import { usageError } from '../errors.js';
import { followJob } from '../follow-job.js';
import { CONNECTION_FLAGS, CONNECTION_USAGE, resolveConnection, withGateway } from '../gateway-connection.js';
import { fetchFinalReport, formatJobReport } from '../job-report.js';
import { submitInputs } from '../submit-inputs.js';
import type { Command } from './command.js';

const NAME = 'submit';

const USAGE = `Usage: offsample submit <inputs-file> [options]
       offsample submit --inputs-from PATH_OR_URL [options]

Submits a job to a running gateway ('offsample serve') and prints its id. The inputs file has one
input per line (http(s) URL, s3://bucket/key, or a local path; '#' comments and blank lines are
skipped; '-' reads stdin). Up to 10,000 inputs go inline; a longer file is sent as inputsFrom
(its absolute path, read by the gateway, so it must be on the gateway's machine). Relative local
paths are made absolute here.

Options:
  --name NAME                  job name (default: the inputs file name)
  --task-managers N            task managers (default: the gateway's policy and caps)
  --split-size N               inputs per split (default: the policy's)
  --split-mode MODE            dynamic (default) or static
  --backend NAME               local (default) or lambda
  --bucket NAME                inputs are object keys in this S3 bucket
  --max-split-retries N        retries of a split after a lost task manager
  --lease-ms MS                how long a split stays claimed without a heartbeat
  --speculation                speculative copies of slow splits (--no-speculation: none)
  --speculation-multiplier X   copy a split running longer than X × the median split time
  --speculation-quantile Q     only once this fraction of splits is done, in (0, 1]
  --output-storage S           local, print or s3: where results are exported when the job ends
                               (they are always kept in Postgres; see 'offsample results')
  --output-location L          folder (local; implies local storage) or key prefix (s3)
  --output-bucket B            bucket for s3 output
  --config FILE                task-manager config (JSON: {load, preprocess, predict, queues})
  --model DIR                  model directory on the gateway's machine (default: the shipped model)
  --allow-loopback             let task managers fetch from 127.0.0.0/8 and ::1
  --inputs-from PATH_OR_URL    the gateway reads the inputs from this file or URL instead
  --wait                       follow the job's progress until it ends; exit 1 unless it SUCCEEDED
  --quiet                      with --wait: no progress bar
${CONNECTION_USAGE}
  -h, --help                   show this help

Exit codes: 0 submitted (with --wait: SUCCEEDED), 1 FAILED / CANCELLED / gateway unreachable,
2 a setting refused (the message names the field and flag).`;

const ENUMS = {
  'split-mode': ['dynamic', 'static'],
  backend: ['local', 'lambda'],
  'output-storage': ['local', 'print', 's3'],
} as const;

/** An enum flag as the schema spells it (DYNAMIC, LOCAL, …); the error lists the choices. */
function enumFlag(values: ParsedArgs['values'], name: keyof typeof ENUMS): string | undefined {
  const raw = optionalString(values, name);
  if (raw === undefined) return undefined;
  const choices: readonly string[] = ENUMS[name];
  if (!choices.includes(raw.toLowerCase())) {
    throw usageError(`offsample ${NAME}: --${name} = ${JSON.stringify(raw)}: must be one of ${choices.join(', ')}`);
  }
  return raw.toUpperCase();
}

/** A number flag; only its syntax is checked here, the gateway checks its range and names the field. */
function numberFlag(values: ParsedArgs['values'], name: string): number | undefined {
  const raw = optionalString(values, name);
  if (raw === undefined) return undefined;
  const n = raw.trim() === '' ? Number.NaN : Number(raw);
  if (!Number.isFinite(n)) throw usageError(`offsample ${NAME}: --${name} = ${JSON.stringify(raw)}: must be a number`);
  return n;
}

function defaultName(file: string | undefined, inputsFrom: string | undefined): string {
  const from = file ?? inputsFrom ?? 'job';
  if (from === '-') return 'stdin';
  const base = path.basename(from.replace(/[?#].*$/, '')).replace(/\.[^.]*$/, '');
  return base || 'job';
}

function dropUndefined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export const submitCommand: Command = {
  name: NAME,
  summary: 'submit a job to a running gateway (GraphQL); --wait follows it to the end',
  usage: USAGE,
  async run(argv, io) {
    const args = parseCommandArgs(
      NAME,
      argv,
      {
        name: { type: 'string' },
        'task-managers': { type: 'string' },
        'split-size': { type: 'string' },
        'split-mode': { type: 'string' },
        backend: { type: 'string' },
        bucket: { type: 'string' },
        'max-split-retries': { type: 'string' },
        'lease-ms': { type: 'string' },
        speculation: { type: 'boolean' },
        'no-speculation': { type: 'boolean' },
        'speculation-multiplier': { type: 'string' },
        'speculation-quantile': { type: 'string' },
        'output-storage': { type: 'string' },
        'output-location': { type: 'string' },
        'output-bucket': { type: 'string' },
        config: { type: 'string', short: 'c' },
        model: { type: 'string' },
        'allow-loopback': { type: 'boolean' },
        'inputs-from': { type: 'string' },
        wait: { type: 'boolean', short: 'w' },
        quiet: { type: 'boolean', short: 'q' },
        ...CONNECTION_FLAGS,
      },
      1,
    );
    if (args.help) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const v = args.values;
    const connection = resolveConnection(NAME, v);
    if (v.speculation === true && v['no-speculation'] === true) throw usageError(`offsample ${NAME}: --speculation and --no-speculation contradict each other`);
    const file = args.positionals[0];
    const inputsFromFlag = optionalString(v, 'inputs-from');
    const bucket = optionalString(v, 'bucket');
    const splitMode = enumFlag(v, 'split-mode');
    const backend = enumFlag(v, 'backend');
    const location = optionalString(v, 'output-location');
    const storage = enumFlag(v, 'output-storage') ?? (location === undefined ? undefined : 'LOCAL');
    const configFile = optionalString(v, 'config');
    const config = effectiveConfig(configFile ? await readConfigFile(configFile) : undefined, v['allow-loopback'] === true);
    const model = optionalString(v, 'model');
    const speculation = dropUndefined({
      enabled: v.speculation === true ? true : v['no-speculation'] === true ? false : undefined,
      multiplier: numberFlag(v, 'speculation-multiplier'),
      quantile: numberFlag(v, 'speculation-quantile'),
    });
    const inputs = await submitInputs({ command: NAME, file, inputsFrom: inputsFromFlag, bucket });
    const input = dropUndefined({
      name: optionalString(v, 'name') ?? defaultName(file, inputsFromFlag),
      ...(inputs.kind === 'inline' ? { inputs: inputs.inputs } : { inputsFrom: inputs.inputsFrom }),
      bucket,
      splitSize: intFlag(NAME, v, 'split-size', undefined),
      numTaskManagers: intFlag(NAME, v, 'task-managers', undefined),
      splitMode,
      backend,
      maxSplitRetries: intFlag(NAME, v, 'max-split-retries', undefined),
      leaseMs: intFlag(NAME, v, 'lease-ms', undefined),
      speculation: Object.keys(speculation).length > 0 ? speculation : undefined,
      output:
        storage === undefined && optionalString(v, 'output-bucket') === undefined
          ? undefined
          : dropUndefined({
              storage,
              // A local folder is written by the gateway: relative to the user's folder, not the gateway's.
              location: location !== undefined && storage === 'LOCAL' ? path.resolve(location) : location,
              bucket: optionalString(v, 'output-bucket'),
            }),
      taskManagerConfig: config,
      model: model === undefined ? undefined : path.resolve(model),
    });

    return withGateway(connection, async (client) => {
      const job = await client.submitJob(input);
      io.stdout.write(`${job.id}\n`);
      io.stderr.write(
        `submitted ${job.name} (${job.id}) to ${connection.url}: ${job.totalInputs} inputs` +
          `${inputs.kind === 'inputsFrom' ? ` read by the gateway from ${inputs.inputsFrom}` : ''}, ` +
          `split size ${job.splitSize}, ${job.numTaskManagers} task managers, ${job.backend.toLowerCase()} backend, ${job.status}\n`,
      );
      if (v.wait !== true) {
        io.stderr.write(`follow it: offsample status ${job.id}   results: offsample results ${job.id} --format jsonl\n`);
        return 0;
      }
      const last = await followJob(client, job, { io, label: NAME, quiet: v.quiet === true });
      const report = await fetchFinalReport(client, job.id);
      io.stderr.write(formatJobReport(report, [['results', `offsample results ${job.id} --format jsonl|csv`]]));
      return last.status === 'SUCCEEDED' ? 0 : 1;
    });
  },
};
