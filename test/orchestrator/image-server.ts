/**
 * The image server of the orchestrator tests: files of one folder over HTTP on 127.0.0.1, plus
 * named gates. A request for `/gate/<name>/<file>` is held until `openGate(name)`, so the split
 * holding those inputs stays in progress for as long as a test needs (to kill, stop or cancel its
 * task manager), and then finishes normally. `/straggle/<name>/<file>` holds only the first
 * request for each file (a straggling attempt; a later copy of the split is answered at once).
 * `/<file>` is answered at once.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface ImageServer {
  /** Base URL without a trailing slash. */
  readonly url: string;
  /** URL of a file under the root; gated by `gate` when given (`straggle`: only its first request). */
  urlFor(file: string, gate?: string, mode?: 'gate' | 'straggle'): string;
  /** Requests received for a gate so far (held or answered). */
  gatedRequests(gate: string): number;
  /** Resolves once a request for this gate has arrived. */
  waitForGatedRequest(gate: string): Promise<void>;
  /** Answer every held request of this gate, and every later one at once. */
  openGate(gate: string): void;
  close(): Promise<void>;
}

interface Gate {
  open: boolean;
  requests: number;
  held: (() => void)[];
  /** Files requested through /straggle/ so far. */
  seen: Set<string>;
  arrived: Promise<void>;
  signalArrival: () => void;
}

export async function startImageServer(root: string): Promise<ImageServer> {
  const base = path.resolve(root);
  const gates = new Map<string, Gate>();
  const gate = (name: string): Gate => {
    let g = gates.get(name);
    if (!g) {
      let signalArrival!: () => void;
      const arrived = new Promise<void>((resolve) => (signalArrival = resolve));
      g = { open: false, requests: 0, held: [], seen: new Set(), arrived, signalArrival };
      gates.set(name, g);
    }
    return g;
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      let p = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      const gated = /^\/(gate|straggle)\/([^/]+)(\/.*)$/.exec(p);
      if (gated) {
        const g = gate(gated[2]!);
        p = gated[3]!;
        g.requests++;
        g.signalArrival();
        const first = !g.seen.has(p);
        g.seen.add(p);
        if (!g.open && (gated[1] === 'gate' || first)) await new Promise<void>((resolve) => g.held.push(resolve));
      }
      if (res.destroyed) return; // the client (a killed task manager) is gone
      const file = path.resolve(base, `.${path.posix.normalize(p)}`);
      const st = file.startsWith(base + path.sep) ? await stat(file).catch(() => null) : null;
      if (!st?.isFile()) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        return;
      }
      const type = file.endsWith('.png') ? 'image/png' : file.endsWith('.txt') ? 'text/plain' : 'application/octet-stream';
      res.writeHead(200, { 'content-type': type, 'content-length': st.size });
      createReadStream(file).pipe(res);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    urlFor: (file, gateName, mode = 'gate') =>
      gateName === undefined ? `${url}/${encodeURIComponent(file)}` : `${url}/${mode}/${gateName}/${encodeURIComponent(file)}`,
    gatedRequests: (name) => gates.get(name)?.requests ?? 0,
    waitForGatedRequest: (name) => gate(name).arrived,
    openGate: (name) => {
      const g = gate(name);
      g.open = true;
      for (const release of g.held.splice(0)) release();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const g of gates.values()) for (const release of g.held.splice(0)) release();
      }),
  };
}
