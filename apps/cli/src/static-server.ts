/**
 * A small static file server for the demo and the benchmark: GET/HEAD of files under one folder on
 * 127.0.0.1, keep-alive, content types by extension, and an optional added latency per request to
 * imitate a remote object store. Paths that escape the folder are refused (404, as if absent).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { STATIC_SERVER_DEFAULTS } from './defaults.js';
import { CliError, CliErrorCode } from './errors.js';

export interface StaticServerOptions {
  /** Folder whose files are served. */
  root: string;
  /** Default STATIC_SERVER_DEFAULTS.host (loopback). */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
  /** Added delay before each response, in ms (default 0). */
  latencyMs?: number;
  keepAliveTimeoutMs?: number;
}

export interface StaticServer {
  /** Base URL with a trailing slash, e.g. `http://127.0.0.1:40123/`. */
  url: string;
  port: number;
  /** URL of a file given by its path relative to the root (each segment URL-encoded). */
  urlFor(relativePath: string): string;
  /** Requests answered so far (any status). */
  requestCount(): number;
  /** Stops listening and closes every socket, idle keep-alive ones included. */
  close(): Promise<void>;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = Object.freeze({
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json',
  '.jsonl': 'application/x-ndjson',
  '.html': 'text/html; charset=utf-8',
});

export function contentTypeFor(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

function validate(options: StaticServerOptions): Required<StaticServerOptions> {
  const o = { ...STATIC_SERVER_DEFAULTS, ...options };
  const bad = (field: string, value: unknown, why: string): never => {
    throw new CliError(CliErrorCode.Config, `static server: ${field} = ${JSON.stringify(value)}: ${why}`);
  };
  if (typeof o.root !== 'string' || o.root.length === 0) bad('root', o.root, 'must be a folder path');
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65_535) bad('port', o.port, 'must be an integer 0..65535');
  if (!Number.isFinite(o.latencyMs) || o.latencyMs < 0) bad('latencyMs', o.latencyMs, 'must be a number >= 0');
  if (!Number.isFinite(o.keepAliveTimeoutMs) || o.keepAliveTimeoutMs < 0) {
    bad('keepAliveTimeoutMs', o.keepAliveTimeoutMs, 'must be a number >= 0');
  }
  return { ...o, root: path.resolve(o.root) };
}

/** Maps a request path to a file inside root, or null when it escapes root or is malformed. */
function resolveInside(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const file = path.resolve(root, `.${path.posix.normalize(`/${decoded}`)}`);
  return file === root || file.startsWith(root + path.sep) ? file : null;
}

/** Unref'd: once the server is closed, a delayed answer has nobody to go to and must not hold the process. */
function delay(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms).unref()) : Promise.resolve();
}

export async function startStaticServer(options: StaticServerOptions): Promise<StaticServer> {
  const o = validate(options);
  const rootStat = await stat(o.root).catch(() => undefined);
  if (!rootStat?.isDirectory()) {
    throw new CliError(CliErrorCode.InputFile, `static server: root = ${JSON.stringify(o.root)}: not a folder`);
  }
  let requests = 0;

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    requests++;
    await delay(o.latencyMs);
    const end = (status: number, text: string): void => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
      res.end(req.method === 'HEAD' ? undefined : text);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      end(405, 'method not allowed\n');
      return;
    }
    const urlPath = new URL(req.url ?? '/', 'http://localhost').pathname;
    const file = resolveInside(o.root, urlPath);
    const st = file ? await stat(file).catch(() => undefined) : undefined;
    if (!file || !st?.isFile()) {
      end(404, 'not found\n');
      return;
    }
    res.writeHead(200, {
      'content-type': contentTypeFor(file),
      'content-length': st.size,
      'last-modified': st.mtime.toUTCString(),
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  server.keepAliveTimeout = o.keepAliveTimeoutMs;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostInUrl = o.host.includes(':') ? `[${o.host}]` : o.host;
  const url = `http://${hostInUrl}:${port}/`;

  return {
    url,
    port,
    urlFor: (relativePath) =>
      new URL(relativePath.split(/[\\/]/).map(encodeURIComponent).join('/'), url).toString(),
    requestCount: () => requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
