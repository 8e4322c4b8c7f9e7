/** Real servers and clients for the gateway tests; everything started here has a matching stop. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface GqlResponse {
  status: number;
  body: {
    data?: Record<string, any> | null;
    errors?: { message: string; path?: string[]; extensions?: { code?: string; fields?: { path: string; message: string }[]; [k: string]: unknown } }[];
  };
}

export async function gql(url: string, query: string, variables?: Record<string, unknown>, token?: string): Promise<GqlResponse> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, body: (await res.json()) as GqlResponse['body'] };
}

/** The one error of a response, asserting there is exactly one. */
export function onlyError(r: GqlResponse) {
  if (r.body.errors?.length !== 1) throw new Error(`expected one error, got ${JSON.stringify(r.body)}`);
  return r.body.errors[0]!;
}

export function wsClient(url: string, token?: string): Client {
  return createClient({
    url,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    ...(token ? { connectionParams: { authorization: `Bearer ${token}` } } : {}),
  });
}

/** Every message of one operation until it completes (or fails: the error is returned as `error`). */
export async function collect<T = any>(client: Client, query: string, onEvent?: (e: T) => void): Promise<{ events: T[]; error: unknown }> {
  const events: T[] = [];
  try {
    for await (const e of client.iterate<T>({ query })) {
      events.push(e as T);
      onEvent?.(e as T);
    }
    return { events, error: null };
  } catch (error) {
    return { events, error };
  }
}

export interface ImageServer {
  url: string;
  close(): Promise<void>;
}

/**
 * Serves files of `dir` under /img/<name>, and under /slow/<name> after `slowMs`; /hang/<name>
 * never answers (for cancel tests).
 */
export async function startImageServer(dir: string, slowMs = 0): Promise<ImageServer> {
  const serveFile = (name: string, res: http.ServerResponse) =>
    readFile(path.join(dir, path.basename(decodeURIComponent(name)))).then(
      (body) => res.end(body),
      () => {
        res.statusCode = 404;
        res.end();
      },
    );
  const server = http.createServer((req, res) => {
    const p = (req.url ?? '/').split('?')[0]!;
    if (p.startsWith('/hang/')) return;
    if (p.startsWith('/img/')) void serveFile(p.slice('/img/'.length), res);
    else if (p.startsWith('/slow/')) setTimeout(() => void serveFile(p.slice('/slow/'.length), res), slowMs);
    else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Where `print` output goes in tests: nowhere. */
export function discard(): Writable {
  return new Writable({
    write(_chunk, _encoding, cb) {
      cb();
    },
  });
}

export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
