/**
 * Starts the built dashboard (production mode, `next build` output in .next/) on its own HTTP
 * server, next to a gateway. Plain JS because this package is built by `next build`, not tsc.
 *
 * The server also proxies WebSocket upgrades on /graphql to the gateway, so the browser talks to
 * one origin for everything and the API token (added here) never reaches the browser.
 */
import { existsSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import next from 'next';

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
  const app = next({ dev: false, dir, hostname: o.host, port: address.port, quiet: true });
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

const NOT_FORWARDED = new Set(['host', 'authorization', 'cookie']);

/**
 * Passes a WebSocket handshake on to the gateway and then splices the two sockets together.
 * @param {http.IncomingMessage} req @param {import('node:stream').Duplex} socket @param {Buffer} head
 * @param {URL} target @param {string | null} token
 */
function proxyUpgrade(req, socket, head, target, token) {
  const headers = {};
  for (const [k, v] of Object.entries(req.headers)) if (!NOT_FORWARDED.has(k) && v !== undefined) headers[k] = v;
  headers.host = target.host;
  if (token) headers.authorization = `Bearer ${token}`;
  const secure = target.protocol === 'wss:' || target.protocol === 'https:';
  const upstream = (secure ? https : http).request({
    protocol: secure ? 'https:' : 'http:',
    hostname: target.hostname,
    port: target.port || (secure ? 443 : 80),
    path: `${target.pathname}${target.search}`,
    method: 'GET',
    headers,
  });
  socket.on('error', () => upstream.destroy());
  upstream.on('error', () => socket.destroy());
  upstream.on('response', (res) => {
    // The gateway refused the upgrade (e.g. 401): hand its answer back as it is.
    socket.write(`HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\nconnection: close\r\n\r\n`);
    socket.end();
    res.resume();
  });
  upstream.on('upgrade', (res, upSocket, upHead) => {
    const lines = [`HTTP/1.1 101 ${res.statusMessage || 'Switching Protocols'}`];
    for (let i = 0; i < res.rawHeaders.length; i += 2) lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (upHead.length) socket.write(upHead);
    if (head.length) upSocket.write(head);
    upSocket.on('error', () => socket.destroy());
    socket.on('close', () => upSocket.destroy());
    upSocket.on('close', () => socket.destroy());
    upSocket.pipe(socket);
    socket.pipe(upSocket);
  });
  upstream.end();
}
