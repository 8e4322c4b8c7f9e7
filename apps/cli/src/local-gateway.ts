/**
 * The server side on this machine, for `serve` and `demo`: the gateway with its orchestrator
 * (serveGateway: Postgres from DATABASE_URL or the embedded server, recovery of QUEUED/RUNNING jobs,
 * local task managers) and, when its production build exists, the dashboard beside it.
 * `close()` stops the dashboard, then the gateway, then the orchestrator (task managers reaped),
 * and closes the database last: it is opened here rather than by the orchestrator because the
 * orchestrator records task-manager exits after its stop() returned; closing the pool under those
 * writes broke them and left the pool waiting forever. Signal handlers the libraries install while
 * starting are removed: the caller owns shutdown.
 *
 * The gateway (Apollo, type-graphql) and the dashboard (Next.js) are imported here, lazily, so the
 * client commands start without loading them.
 */
import { LambdaBackend, openDatabase, redactUrl, type Database, type OrchestratorOptions } from '@offsample/orchestrator-core';
import { CliError, CliErrorCode, errorMessage } from './errors.js';
import { withoutForeignSignalHandlers } from './signals.js';

export interface LocalGatewayOptions {
  /** undefined: OFFSAMPLE_GATEWAY_HOST, else the gateway's default (127.0.0.1). */
  host?: string;
  /** undefined: OFFSAMPLE_GATEWAY_PORT, else 4000; 0 picks a free port. */
  port?: number;
  /** Task managers at once, across jobs, and the local backend's cap; undefined: the orchestrator's defaults. */
  maxTaskManagers?: number;
  /** Jobs running at once; undefined: the orchestrator's default (1). */
  maxJobs?: number;
  /** Required on every operation when set; null: none. */
  apiToken: string | null;
  /** Where the dashboard listens; null: no dashboard. */
  dashboard: { port: number } | null;
  /** Server log lines (job queued, started, failed…); `info` lines only when `verbose`. */
  log: (line: string) => void;
  verbose: boolean;
  /** A Lambda backend beside the local one: jobs submitted with backend lambda run on this function. */
  lambda?: LocalGatewayLambda | null;
  /** The worker endpoint task managers call back; a Lambda function must be able to reach `publicUrl`. */
  workerEndpoint?: { host?: string; port?: number; publicUrl?: string | null };
}

export interface LocalGatewayLambda {
  functionName: string;
  region: string | null;
  alias: string | null;
  endpoint: string | null;
  maxTaskManagers?: number;
  /** Known when this process just deployed it; otherwise the backend asks Lambda once. */
  timeoutS?: number;
}

export interface LocalGateway {
  graphqlUrl: string;
  wsUrl: string;
  /** The dashboard's address, or null with `dashboardProblem` saying why. */
  dashboardUrl: string | null;
  dashboardProblem: string | null;
  /** Where jobs are stored, without credentials. */
  database: string;
  /** The worker endpoint's address given to task managers (publicUrl when set). */
  workerEndpointUrl: string;
  close(): Promise<void>;
}

type LogLevel = 'info' | 'warn' | 'error';

const LOCAL_GATEWAY_DEFAULTS = Object.freeze({
  /** Longest wait for the orchestrator's last writes (task-manager exits) before the pool closes. */
  settleMs: 5_000,
  /** How often the pool is looked at meanwhile. */
  pollMs: 20,
} as const);

/** Resolves once no query is running or waiting on the pool (three looks in a row), or after `maxMs`. */
async function poolIdle(db: Database, maxMs: number): Promise<void> {
  const deadline = Date.now() + maxMs;
  let quiet = 0;
  while (quiet < 3 && Date.now() < deadline) {
    const { totalCount, idleCount, waitingCount } = db.pool;
    quiet = totalCount === idleCount && waitingCount === 0 ? quiet + 1 : 0;
    await new Promise((r) => setTimeout(r, LOCAL_GATEWAY_DEFAULTS.pollMs));
  }
}

function fieldsText(fields?: Record<string, unknown>): string {
  return fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
}

export function startLocalGateway(options: LocalGatewayOptions): Promise<LocalGateway> {
  return withoutForeignSignalHandlers(() => start(options));
}

async function start(options: LocalGatewayOptions): Promise<LocalGateway> {
  const { serveGateway, GatewayOptionsError } = await import('@offsample/gateway');
  const say = (level: LogLevel, message: string): void => {
    if (level !== 'info' || options.verbose) options.log(`${new Date().toISOString()} ${level}: ${message}`);
  };
  const lambda = options.lambda ?? null;
  const local = options.maxTaskManagers === undefined ? null : { maxTaskManagers: options.maxTaskManagers };
  const orchestratorOptions: OrchestratorOptions = {
    ...(options.maxJobs === undefined ? {} : { maxJobManagers: options.maxJobs }),
    ...(options.maxTaskManagers === undefined ? {} : { maxTaskManagers: options.maxTaskManagers }),
    ...(options.workerEndpoint === undefined ? {} : { workerEndpoint: options.workerEndpoint }),
    backends: {
      ...(local === null ? {} : { local }),
      ...(lambda === null
        ? {}
        : {
            lambda: {
              functionName: lambda.functionName,
              region: lambda.region,
              alias: lambda.alias,
              endpoint: lambda.endpoint,
              ...(lambda.maxTaskManagers === undefined ? {} : { maxTaskManagers: lambda.maxTaskManagers }),
              ...(lambda.timeoutS === undefined ? {} : { timeoutS: lambda.timeoutS }),
            },
          }),
    },
  };
  let backend: LambdaBackend | null = null;
  try {
    // Its exit watcher comes from the orchestrator's store (Backend.attach) once that exists.
    backend =
      lambda === null
        ? null
        : new LambdaBackend({
            functionName: lambda.functionName,
            qualifier: lambda.alias,
            region: lambda.region,
            endpoint: lambda.endpoint,
            ...(lambda.timeoutS === undefined ? {} : { functionTimeoutMs: lambda.timeoutS * 1000 }),
            log: (level, message, fields) => say(level, `lambda: ${message}${fieldsText(fields)}`),
          });
  } catch (err) {
    throw new CliError(CliErrorCode.Config, `lambda backend: ${errorMessage(err)}`, { cause: err });
  }
  let db: Database;
  try {
    db = await openDatabase({ log: (m) => say('info', m) });
  } catch (err) {
    await backend?.close();
    throw new CliError(CliErrorCode.Failed, `could not open the database: ${errorMessage(err)}`, { cause: err });
  }
  let served;
  try {
    served = await serveGateway({
      host: options.host,
      port: options.port,
      apiToken: options.apiToken,
      orchestratorOptions,
      orchestratorDeps: { database: db, ...(backend === null ? {} : { backends: { lambda: backend } }), log: (level, message, fields) => say(level, `${message}${fieldsText(fields)}`) },
      log: { info: (m) => say('info', m), error: (m, e) => say('error', `${m}${e === undefined ? '' : `: ${errorMessage(e)}`}`) },
    });
  } catch (err) {
    await db.close().catch(() => undefined);
    await backend?.close(); // the orchestrator closes its backends only once it started
    // Bad host/port/env are the user's to fix; a busy port or an unreachable database is not.
    const code = err instanceof GatewayOptionsError || (err as { code?: string }).code === 'INVALID_ORCHESTRATOR_OPTIONS' ? CliErrorCode.Config : CliErrorCode.Failed;
    throw new CliError(code, `could not start the gateway: ${errorMessage(err)}`, { cause: err });
  }
  const database = db.embedded ? `embedded PostgreSQL in ${db.embedded.dataDir} (DATABASE_URL is unset)` : redactUrl(db.url);

  let dashboard: { url: string; close(): Promise<void> } | null = null;
  let dashboardProblem: string | null = options.dashboard === null ? 'not started (--no-dashboard)' : null;
  if (options.dashboard !== null) {
    try {
      dashboard = await startDashboardBeside(served.gateway.url, options.host, options.dashboard.port, options.apiToken);
    } catch (err) {
      dashboardProblem = `not started: ${errorMessage(err)}`;
    }
  }
  let closing: Promise<void> | null = null;
  return {
    graphqlUrl: served.gateway.url,
    wsUrl: served.gateway.wsUrl,
    dashboardUrl: dashboard?.url ?? null,
    dashboardProblem,
    database,
    workerEndpointUrl: served.orchestrator.workerEndpointUrl,
    close() {
      closing ??= (async () => {
        await dashboard?.close().catch((err: unknown) => say('error', `dashboard did not close cleanly: ${errorMessage(err)}`));
        await served.close();
        await poolIdle(db, LOCAL_GATEWAY_DEFAULTS.settleMs);
        await db.close();
      })();
      return closing;
    },
  };
}

/** The dashboard's production build (apps/dashboard, `next build`) on its own port, pointed at the gateway. */
async function startDashboardBeside(
  gatewayUrl: string,
  host: string | undefined,
  port: number,
  apiToken: string | null,
): Promise<{ url: string; close(): Promise<void> }> {
  let mod: typeof import('@offsample/dashboard');
  try {
    mod = await import('@offsample/dashboard');
  } catch (err) {
    throw new Error(`the dashboard package cannot be loaded (${errorMessage(err)})`);
  }
  try {
    return await mod.startDashboard({ port, gatewayUrl, apiToken, ...(host === undefined ? {} : { host }) });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'NOT_BUILT') throw new Error("no production build: run 'npm run build' at the repository root");
    if (code === 'EADDRINUSE') throw new Error(`port ${port} is in use (choose another with --dashboard-port)`);
    throw err;
  }
}
