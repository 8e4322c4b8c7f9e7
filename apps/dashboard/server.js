/**
 * Starts the built dashboard (production mode, `next build` output in .next/) on its own HTTP
 * server, next to a gateway. Plain JS because this package is built by `next build`, not tsc.
 *
 * The server also proxies WebSocket upgrades on /graphql to the gateway (ws-proxy.js), so the
 * browser talks to one origin for everything and the API token (added here) never reaches it.
 */
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import next from 'next';
import { proxyUpgrade } from './ws-proxy.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CONFIG_KEY = Symbol.for('offsample.dashboard.config');

/** Defaults: loopback only, an ephemeral port, the gateway's own default address. */
export const DASHBOARD_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  port: 0,
  gatewayUrl: 'http://127.0.0.1:4000',
});

/** Thrown when the options are wrong or the app was never built. */
export class DashboardError extends Error {
  /** @param {string} code @param {string} message */
  constructor(code, message) {
    super(message);
    this.name = 'DashboardError';
    this.code = code;
    this.retryable = false;
  }
}

/** @param {string} url */
function graphqlEndpoint(url) {
  const u = new URL(url);
  if (u.pathname === '' || u.pathname === '/') u.pathname = '/graphql';
  return u;
}

/** @param {import('./server.d.ts').StartDashboardOptions} [options] */
function compileOptions(options = {}) {
  const o = { ...DASHBOARD_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) {
    throw new DashboardError('BAD_OPTION', `port must be an integer in 0..65535, got ${JSON.stringify(o.port)}`);
  }
  for (const field of ['gatewayUrl', 'gatewayWsUrl']) {
    if (o[field] === undefined) continue;
    try {
      new URL(o[field]);
    } catch {
      throw new DashboardError('BAD_OPTION', `${field} must be an absolute URL, got ${JSON.stringify(o[field])}`);
    }
  }
  return o;
}

/**
 * @param {import('./server.d.ts').StartDashboardOptions} [options]
 * @returns {Promise<import('./server.d.ts').RunningDashboard>}
 */
export async function startDashboard(options) {
  const o = compileOptions(options);
  const dir = o.dir ?? here;
  if (!existsSync(path.join(dir, '.next', 'BUILD_ID'))) {
    throw new DashboardError('NOT_BUILT', `no production build in ${dir}/.next: run \`npm run build\` (next build) first`);
  }
  process.env.NEXT_TELEMETRY_DISABLED ??= '1';
  // The route handlers read this at request time (src/lib/server-config.ts).
  globalThis[CONFIG_KEY] = {
    gatewayUrl: o.gatewayUrl,
    gatewayWsUrl: o.gatewayWsUrl,
    apiToken: o.apiToken ?? process.env.OFFSAMPLE_API_TOKEN ?? null,
    proxiesWebSocket: true,
  };
  const wsTarget = graphqlEndpoint(o.gatewayWsUrl ?? o.gatewayUrl);
  const token = o.apiToken ?? process.env.OFFSAMPLE_API_TOKEN ?? null;

  const server = http.createServer();
  const sockets = new Set();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve(undefined));
  });
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  // Next attaches its own 'upgrade' listener to the server it is given (or else to the first
  // request's server) and would close our /graphql sockets; give it a stand-in it can keep.
  const upgradeSink = new EventEmitter();
  const app = next({ dev: false, dir, hostname: o.host, port: address.port, quiet: true, httpServer: upgradeSink });
  try {
    await app.prepare();
  } catch (err) {
    server.close();
    throw err;
  }
  const handle = app.getRequestHandler();
  server.on('request', (req, res) => {
    handle(req, res).catch((err) => {
      console.error('dashboard: request failed', err);
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    });
  });
  server.on('upgrade', (req, socket, head) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    if (pathname === '/graphql') proxyUpgrade(req, socket, head, wsTarget, token);
    else socket.destroy();
  });

  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  let closing = null;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    close() {
      closing ??= (async () => {
        const done = new Promise((resolve) => server.close(() => resolve(undefined)));
        for (const s of sockets) s.destroy();
        await done;
        await app.close();
        delete globalThis[CONFIG_KEY];
      })();
      return closing;
    },
  };
}
