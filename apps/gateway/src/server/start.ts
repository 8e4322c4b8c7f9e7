/**
 * `startGateway`: one HTTP server on one port serving
 *   POST/GET /graphql   GraphQL over HTTP (Apollo Server 5 through express 5)
 *   ws       /graphql   GraphQL over WebSocket (graphql-ws protocol)
 *   GET      /healthz   liveness (no token needed, tells nothing about jobs)
 * The orchestrator is hosted by the caller and passed in; `close()` stops the gateway only.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type NextFunction, type Request, type Response } from 'express';
import { buildGatewaySchema } from '../build-schema.js';
import type { GatewayContext, GatewayEvents } from '../context.js';
import { ErrorCode, formatGatewayError } from '../errors.js';
import type { GatewayOrchestrator, GatewayStore, JobStatusEvent } from '../ports.js';
import { PubSub } from '../pubsub.js';
import { tokenChecker } from './auth.js';
import { depthLimitRule } from './depth-limit.js';
import { compileGatewayOptions, GatewayOptionsError, type GatewayServerOptions } from './options.js';
import { createPrismaStore } from '../store/prisma-store.js';
import { attachGraphqlWs } from './ws.js';

export interface StartGatewayOptions extends GatewayServerOptions {
  orchestrator: GatewayOrchestrator;
  /** The read side over Postgres; default: createPrismaStore(orchestrator.db.prisma). */
  store?: GatewayStore;
}

export interface GatewayHandle {
  /** http://host:port/graphql */
  url: string;
  /** ws://host:port/graphql */
  wsUrl: string;
  /** http://host:port */
  origin: string;
  port: number;
  /** `jobProgress` streams open now (each polls the orchestrator until it ends or is unsubscribed). */
  openProgressStreams(): number;
  /** Stops accepting, ends subscriptions and open sockets, and resolves when the port is free. */
  close(): Promise<void>;
}

export async function startGateway(opts: StartGatewayOptions): Promise<GatewayHandle> {
  const config = compileGatewayOptions(opts);
  const store = opts.store ?? (opts.orchestrator.db ? createPrismaStore(opts.orchestrator.db.prisma) : null);
  if (!store) throw new GatewayOptionsError([{ path: 'gateway.store', message: 'is required when the orchestrator has no db (start it first)' }]);
  const schema = await buildGatewaySchema();
  const checkToken = tokenChecker(config.apiToken);
  const events = new PubSub<GatewayEvents>();
  const relay = (e: JobStatusEvent) => events.publish('jobStatus', e);
  opts.orchestrator.on('jobStatus', relay);

  const context: GatewayContext = {
    orchestrator: opts.orchestrator,
    store,
    events,
    progressIntervalMs: config.progressIntervalMs,
    inputsFromDirs: config.inputsFromDirs,
  };

  const app = express();
  app.disable('x-powered-by');
  const httpServer: Server = createServer(app);
  const ws = attachGraphqlWs(httpServer, schema, context, config, checkToken);

  const apollo = new ApolloServer<GatewayContext>({
    schema,
    validationRules: [depthLimitRule(config.maxQueryDepth)],
    includeStacktraceInErrorResponses: false,
    // The host process (offsample serve, tests) owns signals and shuts the gateway down itself.
    stopOnTerminationSignals: false,
    formatError: (formatted, error) =>
      formatGatewayError(formatted, error, (err) => config.log.error('GraphQL operation failed', err)),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      { serverWillStart: async () => ({ drainServer: () => ws.close() }) },
    ],
  });
  await apollo.start();

  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.use(
    '/graphql',
    // The token is checked before the body is read: an anonymous client cannot make us parse megabytes.
    (req: Request, res: Response, next: NextFunction) => {
      if (checkToken(req.headers.authorization)) return next();
      res.status(401).json({
        errors: [{ message: 'A valid API token is required (Authorization: Bearer <token>)', extensions: { code: ErrorCode.UNAUTHENTICATED } }],
      });
    },
    express.json({ limit: config.bodyLimitBytes }),
    expressMiddleware(apollo, { context: async () => context }),
  );
  app.use((_req: Request, res: Response) => {
    res.status(404).json({ errors: [{ message: 'Not found: the API is at /graphql', extensions: { code: ErrorCode.NOT_FOUND } }] });
  });
  // Body-parser and other middleware errors: a GraphQL-shaped answer, never express's HTML stack page.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = httpStatusOf(err);
    if (status >= 500) config.log.error('HTTP request failed', err);
    const code = status === 413 ? ErrorCode.PAYLOAD_TOO_LARGE : status < 500 ? ErrorCode.BAD_REQUEST : ErrorCode.INTERNAL_SERVER_ERROR;
    const message = status === 413 ? `Request body is larger than ${config.bodyLimitBytes} bytes` : status < 500 ? 'Malformed request' : 'Internal server error';
    res.status(status).json({ errors: [{ message, extensions: { code } }] });
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const { port } = httpServer.address() as AddressInfo;
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  const origin = `http://${hostForUrl}:${port}`;
  config.log.info(`gateway listening on ${origin}/graphql`);

  let closing: Promise<void> | null = null;
  return {
    url: `${origin}/graphql`,
    wsUrl: `ws://${hostForUrl}:${port}/graphql`,
    origin,
    port,
    // Every progress stream holds exactly one jobStatus subscription until it ends.
    openProgressStreams: () => events.listenerCount('jobStatus'),
    close() {
      closing ??= (async () => {
        opts.orchestrator.off('jobStatus', relay);
        // apollo.stop() runs the drain plugins: graphql-ws closes its sockets, then the HTTP server.
        await apollo.stop();
        if (httpServer.listening) await new Promise<void>((r) => httpServer.close(() => r()));
      })();
      return closing;
    },
  };
}

function httpStatusOf(err: unknown): number {
  const s = (err as { status?: unknown; statusCode?: unknown } | null)?.status ?? (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof s === 'number' && s >= 400 && s < 600 ? s : 500;
}
