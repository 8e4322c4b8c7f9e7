/**
 * `offsample cancel <jobId>`: `cancelJob` on the gateway. Its task managers stop; inputs without a
 * result get a CANCELLED error record; the job ends CANCELLED.
 */
import { parseCommandArgs } from '../args.js';
import { usageError } from '../errors.js';
import { CONNECTION_FLAGS, CONNECTION_USAGE, resolveConnection, withGateway } from '../gateway-connection.js';
import type { Command } from './command.js';

const NAME = 'cancel';

const USAGE = `Usage: offsample cancel <jobId> [options]

Cancels a QUEUED or RUNNING job: its task managers stop, and every input without a result gets a
CANCELLED error record. A job that already ended is left as it is.

Options:
${CONNECTION_USAGE}
  -h, --help           show this help`;

export const cancelCommand: Command = {
  name: NAME,
  summary: 'cancel a queued or running job (on the gateway)',
  usage: USAGE,
  async run(argv, io) {
    const args = parseCommandArgs(NAME, argv, { ...CONNECTION_FLAGS }, 1);
    if (args.help) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const jobId = args.positionals[0];
    if (jobId === undefined) throw usageError(`offsample ${NAME}: missing <jobId>\nRun 'offsample ${NAME} --help' for usage.`);
    const job = await withGateway(resolveConnection(NAME, args.values), (client) => client.cancelJob(jobId));
    io.stdout.write(`${job.id} ${job.status}\n`);
    io.stderr.write(`${job.name}: ${job.done} classified, ${job.failed} errors of ${job.totalInputs} inputs\n`);
    return 0;
  },
};
