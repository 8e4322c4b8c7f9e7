/**
 * Serves a folder over HTTP on 127.0.0.1 like the demo's static server, and delays every request
 * whose path starts with /slow/ (the rest of the path names the same file). The e2e job lists one
 * split's inputs under /slow/, so that split runs long and the dashboard must show it as stuck.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface SlowServer {
  url: string;
  close(): Promise<void>;
}

export async function startSlowServer(root: string, slowMs: number): Promise<SlowServer> {
  const base = path.resolve(root);
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer(async (req, res) => {
    let p = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (p.startsWith('/slow/')) {
      p = p.slice('/slow'.length);
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          timers.delete(t);
          resolve();
        }, slowMs);
        timers.add(t);
      });
    }
    const file = path.resolve(base, `.${path.posix.normalize(p)}`);
    const st = file.startsWith(base + path.sep) ? await stat(file).catch(() => null) : null;
    if (!st?.isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    res.writeHead(200, { 'content-type': file.endsWith('.png') ? 'image/png' : 'application/octet-stream', 'content-length': st.size });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
