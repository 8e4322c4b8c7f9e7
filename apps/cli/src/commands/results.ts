/**
 * `offsample results <jobId>`: every stored result of a job, in input order, as JSONL or CSV,
 * fetched from the gateway page by page and streamed out (a big job never sits in memory).
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { optionalString, parseCommandArgs } from '../args.js';
import { GATEWAY_CLIENT_DEFAULTS } from '../defaults.js';
import { CliError, CliErrorCode, usageError } from '../errors.js';
import { CONNECTION_FLAGS, CONNECTION_USAGE, resolveConnection, withGateway } from '../gateway-connection.js';
import { CSV_HEADER, RESULT_FORMATS, resultLineWriter, type ResultFormat } from '@offsample/orchestrator-core/results-format';
import type { Command } from './command.js';

const NAME = 'results';

const USAGE = `Usage: offsample results <jobId> [--format jsonl|csv] [options]

Writes a job's results in input order, one line per input: a label with probabilities, or an
error code and message. Read from the gateway page by page.

  jsonl: {"index":0,"input":"…","label":"off-sample","probabilities":[0.03,0.97]}
         {"index":1,"input":"…","error":{"code":"NOT_FOUND","message":"…"}}
  csv:   input_index,input,label,probabilities,error_code,error_message (a header line, CRLF)

Options:
  --format F           jsonl or csv (default: from --out's extension, else jsonl)
  --out FILE           write here instead of stdout (complete or not at all)
  --label L            only inputs classified as L
  --error-code C       only inputs that failed with code C (e.g. NOT_FOUND)
${CONNECTION_USAGE}
  -h, --help           show this help`;

async function write(sink: Writable, text: string): Promise<void> {
  if (!sink.write(text)) await once(sink, 'drain');
}

export const resultsCommand: Command = {
  name: NAME,
  summary: "a job's results in input order as JSONL or CSV (from the gateway)",
  usage: USAGE,
  async run(argv, io) {
    const args = parseCommandArgs(
      NAME,
      argv,
      { format: { type: 'string', short: 'f' }, out: { type: 'string', short: 'o' }, label: { type: 'string' }, 'error-code': { type: 'string' }, ...CONNECTION_FLAGS },
      1,
    );
    if (args.help) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const jobId = args.positionals[0];
    if (jobId === undefined) throw usageError(`offsample ${NAME}: missing <jobId>\nRun 'offsample ${NAME} --help' for usage.`);
    const out = optionalString(args.values, 'out');
    const format = (optionalString(args.values, 'format') ?? (out?.toLowerCase().endsWith('.csv') ? 'csv' : 'jsonl')).toLowerCase();
    if (!(RESULT_FORMATS as readonly string[]).includes(format)) {
      throw usageError(`offsample ${NAME}: --format = ${JSON.stringify(format)}: must be jsonl or csv`);
    }
    const label = optionalString(args.values, 'label');
    const errorCode = optionalString(args.values, 'error-code');
    const filter = { ...(label === undefined ? {} : { label }), ...(errorCode === undefined ? {} : { errorCode }) };
    const connection = resolveConnection(NAME, args.values);
    const line = resultLineWriter(format as ResultFormat);

    return withGateway(connection, async (client) => {
      const job = await client.job(jobId);
      if (!job) throw new CliError(CliErrorCode.Usage, `no job with id ${jobId}`);
      if (job.status === 'QUEUED' || job.status === 'RUNNING') {
        io.stderr.write(`note: job ${jobId} is ${job.status}: ${job.done + job.failed} of ${job.totalInputs} inputs have a result so far\n`);
      }
      // A file is written under a temporary name and renamed at the end: complete or absent.
      const target = out === undefined ? null : path.resolve(out);
      const partial = target === null ? null : `${target}.partial`;
      const sink: Writable = partial === null ? io.stdout : createWriteStream(partial);
      if (partial !== null) {
        await once(sink, 'open').catch((err: unknown) => {
          throw new CliError(CliErrorCode.Usage, `cannot write ${target}: ${(err as Error).message}`, { cause: err });
        });
      }
      let written = 0;
      try {
        if (format === 'csv') await write(sink, CSV_HEADER);
        let batch = '';
        for await (const r of client.results(jobId, { filter, pageSize: GATEWAY_CLIENT_DEFAULTS.resultsPageSize })) {
          batch += line(r);
          written++;
          if (batch.length >= 64 * 1024) {
            await write(sink, batch);
            batch = '';
          }
        }
        if (batch) await write(sink, batch);
        if (partial !== null && target !== null) {
          sink.end();
          await once(sink, 'close');
          await rename(partial, target);
        }
      } catch (err) {
        if (partial !== null) {
          sink.destroy();
          await rm(partial, { force: true });
        }
        throw err;
      }
      io.stderr.write(`${written} results${label || errorCode ? ' (filtered)' : ''} of job ${job.name} (${jobId})${target ? ` written to ${target}` : ''}\n`);
      return 0;
    });
  },
};
