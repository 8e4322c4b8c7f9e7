/**
 * `offsample serve`: the gateway (GraphQL over HTTP + graphql-ws) with its orchestrator and local
 * task managers, plus the dashboard when it is built. Runs until SIGINT/SIGTERM, then stops the
 * dashboard, the gateway and the orchestrator (task managers reaped); unfinished jobs stay in
 * Postgres and resume on the next start.
 */
import { intFlag, optionalString, parseCommandArgs, type ParsedArgs } from '../args.js';
import { readGatewayEnv } from '../gateway-connection.js';
import { SERVE_DEFAULTS } from '../defaults.js';
import { usageError } from '../errors.js';
import { checkAlias, checkFunctionName, checkRegion, checkUrl, DEPLOY_FLAG_OPTIONS, DEPLOY_FLAGS_HELP, readDeploySettings, runLambdaDeploy } from '../lambda-deploy.js';
import { startLocalGateway, type LocalGatewayLambda } from '../local-gateway.js';
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

AWS Lambda (jobs submitted with --backend lambda run there; without --lambda-function they fail
with "backend 'lambda' is not configured"):
  --lambda-function NAME   the task-manager function (deploy it with 'offsample deploy' or
                           --lambda-initialize)
  --lambda-region R        its region (default AWS_REGION / the SDK's chain)
  --lambda-alias A         invoke this alias (default $LATEST)
  --lambda-endpoint URL    another Lambda API endpoint (a local imitation for tests)
  --lambda-max-task-managers N  invocations at once (default 100, the seed's cap; --max-task-managers
                           still caps everything)
  --lambda-initialize      deploy the function before serving (the seed's initialize=True), with:
${DEPLOY_FLAGS_HELP.replace(/^/gm, '  ')}
  Functions call the worker endpoint back (dynamic splits), so it must be reachable from them:
  --public-url URL         the worker endpoint's address as the functions see it, e.g.
                           http://10.0.1.23:8080 (the instance's private IP when the function runs in
                           its VPC; with --ec2-host-vpc and --worker-port it defaults to that)
  --worker-host HOST       interface the worker endpoint binds (default 127.0.0.1; use 0.0.0.0)
  --worker-port P          its port (default: any free port; give one that --public-url names)

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
      'lambda-function': { type: 'string' },
      'lambda-region': { type: 'string' },
      'lambda-alias': { type: 'string' },
      'lambda-endpoint': { type: 'string' },
      'lambda-max-task-managers': { type: 'string' },
      'lambda-initialize': { type: 'boolean' },
      'public-url': { type: 'string' },
      'worker-host': { type: 'string' },
      'worker-port': { type: 'string' },
      ...DEPLOY_FLAG_OPTIONS,
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
    const lambda = await lambdaSettings(v, log);
    const workerEndpoint = {
      ...(optionalString(v, 'worker-host') === undefined ? {} : { host: optionalString(v, 'worker-host') }),
      ...(v['worker-port'] === undefined ? {} : { port: intFlag(NAME, v, 'worker-port', undefined, { min: 0, max: 65_535 }) }),
      ...(lambda?.publicUrl === undefined ? {} : { publicUrl: lambda.publicUrl }),
    };
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
        lambda: lambda?.backend ?? null,
        ...(Object.keys(workerEndpoint).length === 0 ? {} : { workerEndpoint }),
      });
      io.stdout.write(
        `graphql:   ${server.graphqlUrl}\n` +
          `websocket: ${server.wsUrl}\n` +
          `dashboard: ${server.dashboardUrl ?? server.dashboardProblem ?? '-'}\n` +
          `database:  ${server.database}\n` +
          `lambda:    ${lambda === null ? 'off (--lambda-function NAME to run jobs with backend lambda)' : describeLambda(lambda.backend)}\n` +
          `workers:   ${server.workerEndpointUrl}\n` +
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

interface ServeLambda {
  backend: LocalGatewayLambda;
  publicUrl: string | undefined;
}

/** The --lambda-* flags (deploying first with --lambda-initialize); null without --lambda-function. */
async function lambdaSettings(v: ParsedArgs['values'], log: (line: string) => void): Promise<ServeLambda | null> {
  const functionName = optionalString(v, 'lambda-function');
  const publicUrl = checkUrl(NAME, 'public-url', optionalString(v, 'public-url'));
  if (functionName === undefined) {
    const stray = Object.keys(v).filter((k) => v[k] !== undefined && (k.startsWith('lambda-') || k in DEPLOY_FLAG_OPTIONS));
    if (stray.length > 0) throw usageError(`offsample ${NAME}: --${stray[0]} needs --lambda-function NAME`);
    return null;
  }
  const target = {
    functionName: checkFunctionName(NAME, 'lambda-function', functionName),
    region: checkRegion(NAME, 'lambda-region', optionalString(v, 'lambda-region')),
    alias: checkAlias(NAME, 'lambda-alias', optionalString(v, 'lambda-alias')),
    endpoint: checkUrl(NAME, 'lambda-endpoint', optionalString(v, 'lambda-endpoint')),
  };
  const maxTaskManagers = intFlag(NAME, v, 'lambda-max-task-managers', undefined, { min: 1, max: 1_000 });
  const initialize = v['lambda-initialize'] === true;
  if (!initialize) {
    const deployOnly = Object.keys(DEPLOY_FLAG_OPTIONS).find((k) => v[k] !== undefined);
    if (deployOnly !== undefined) throw usageError(`offsample ${NAME}: --${deployOnly} is a deploy setting: add --lambda-initialize (or run 'offsample deploy')`);
  }
  let timeoutS: number | undefined;
  let derivedUrl: string | undefined;
  if (initialize) {
    const settings = readDeploySettings(NAME, v, target);
    log(`deploying ${settings.functionName} before serving (--lambda-initialize)…`);
    const outcome = await runLambdaDeploy(settings, log);
    timeoutS = settings.timeoutS;
    // In the host's VPC the function reaches this machine on its private address.
    const workerPort = intFlag(NAME, v, 'worker-port', undefined, { min: 1, max: 65_535 });
    if (outcome.network !== null && publicUrl === undefined && workerPort !== undefined) derivedUrl = `http://${outcome.network.privateIp}:${workerPort}`;
  }
  return {
    backend: {
      functionName: target.functionName,
      region: target.region ?? null,
      alias: target.alias ?? null,
      endpoint: target.endpoint ?? null,
      ...(maxTaskManagers === undefined ? {} : { maxTaskManagers }),
      ...(timeoutS === undefined ? {} : { timeoutS }),
    },
    publicUrl: publicUrl ?? derivedUrl,
  };
}

function describeLambda(l: LocalGatewayLambda): string {
  return `${l.functionName}${l.alias === null ? '' : `:${l.alias}`} (${l.region ?? 'region from AWS_REGION'}${l.endpoint === null ? '' : `, endpoint ${l.endpoint}`})`;
}
