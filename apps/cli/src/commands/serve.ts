/**
 * `offsample serve`: the gateway (GraphQL over HTTP + graphql-ws) with its orchestrator and local
 * task managers, plus the dashboard when it is built. Runs until SIGINT/SIGTERM, then stops the
 * dashboard, the gateway and the orchestrator (task managers reaped); unfinished jobs stay in
 * Postgres and resume on the next start.
 */
import { intFlag, optionalString, parseCommandArgs } from '../args.js';
import { readGatewayEnv } from '../gateway-connection.js';
import { SERVE_DEFAULTS } from '../defaults.js';
import { usageError } from '../errors.js';
import { startLocalGateway } from '../local-gateway.js';
import { waitForSignal } from '../signals.js';
import type { Command } from './command.js';

const NAME = 'serve';

const USAGE = `Usage: offsample serve [options]

Starts the gateway: GraphQL over HTTP and WebSocket (graphql-ws) on one port, with the
orchestrator (jobs in Postgres: DATABASE_URL, else an embedded server in <repo>/.data/postgres;
QUEUED and RUNNING jobs are resumed) and local task managers. Also serves the dashboard when its
production build exists ('npm run build'). Stops cleanly on Ctrl-C or SIGTERM.

Options:
  --host HOST              interface to bind (default $OFFSAMPLE_GATEWAY_HOST, else 127.0.0.1)
  --port N                 gateway port (default $OFFSAMPLE_GATEWAY_PORT, else 4000; 0 = any free port)
  --max-task-managers N    task managers at once across jobs (default: one per CPU core for local)
  --max-jobs N             jobs running at once; more wait in the queue (default 1)
  --dashboard-port P       dashboard port (default ${SERVE_DEFAULTS.dashboardPort}; 0 = any free port)
  --no-dashboard           do not start the dashboard
  --verbose                log every job event (queued, started, recovered…), not only problems
  -h, --help               show this help

Environment: OFFSAMPLE_API_TOKEN (when set, at least 16 characters: every request must carry it),
DATABASE_URL, OFFSAMPLE_INPUTS_FROM_DIRS (folders inputsFrom files must lie in).`;

export const serveCommand: Command = {
  name: NAME,
  summary: 'run the GraphQL gateway (+ orchestrator, local task managers, dashboard) until Ctrl-C',
  usage: USAGE,
  async run(argv, io) {
    const args = parseCommandArgs(NAME, argv, {
      host: { type: 'string' },
      port: { type: 'string', short: 'p' },
      'max-task-managers': { type: 'string' },
      'max-jobs': { type: 'string' },
      'dashboard-port': { type: 'string' },
      'no-dashboard': { type: 'boolean' },
      verbose: { type: 'boolean', short: 'v' },
    });
    if (args.help) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const v = args.values;
    if (v['no-dashboard'] === true && v['dashboard-port'] !== undefined) {
      throw usageError(`offsample ${NAME}: --dashboard-port and --no-dashboard contradict each other`);
    }
    const env = readGatewayEnv();
    const dashboardPort = intFlag(NAME, v, 'dashboard-port', SERVE_DEFAULTS.dashboardPort, { min: 0, max: 65_535 });
    const log = (line: string): void => void io.stderr.write(`${line}\n`);
    // Listen for signals before starting: a SIGTERM during start-up still shuts down cleanly.
    const stop = waitForSignal();
    try {
      const server = await startLocalGateway({
        host: optionalString(v, 'host'),
        port: intFlag(NAME, v, 'port', undefined, { min: 0, max: 65_535 }),
        maxTaskManagers: intFlag(NAME, v, 'max-task-managers', undefined, { min: 1, max: 10_000 }),
        maxJobs: intFlag(NAME, v, 'max-jobs', undefined, { min: 1, max: 1_000 }),
        apiToken: env.token ?? null,
        dashboard: v['no-dashboard'] === true ? null : { port: dashboardPort },
        log,
        verbose: v.verbose === true,
      });
      io.stdout.write(
        `graphql:   ${server.graphqlUrl}\n` +
          `websocket: ${server.wsUrl}\n` +
          `dashboard: ${server.dashboardUrl ?? server.dashboardProblem ?? '-'}\n` +
          `database:  ${server.database}\n` +
          `api token: ${env.token ? 'required (OFFSAMPLE_API_TOKEN)' : 'none (set OFFSAMPLE_API_TOKEN to require one)'}\n` +
          `submit a job: offsample submit <inputs-file> --url ${server.graphqlUrl} --wait\n` +
          `press Ctrl-C to stop\n`,
      );
      const signal = await stop.signal;
      log(`${signal}: shutting down (task managers are stopped; unfinished jobs resume on the next start)`);
      await server.close();
      log('stopped');
      return 0;
    } finally {
      stop.dispose();
    }
  },
};
