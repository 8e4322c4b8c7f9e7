/**
 * Starts the image server child (image-server-child.ts) and hands back its URLs. The child runs
 * through the same TypeScript loader as this process (execArgv is inherited from tsx).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ImageServer {
  url: string;
  urlFor(file: string): string;
  /** Requests the server answered so far. */
  requestCount(): Promise<number>;
  close(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;

export async function startImageServer(root: string, latencyMs: number): Promise<ImageServer> {
  const child = fork(fileURLToPath(new URL('./image-server-child.ts', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let url: string;
  try {
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('image server did not start within 30 s')), START_TIMEOUT_MS);
      child.once('message', (m: unknown) => {
        clearTimeout(timer);
        const msg = m as { url?: string; error?: string };
        if (msg.url !== undefined) resolve(msg.url);
        else reject(new Error(`image server: ${msg.error ?? 'no url'}`));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`image server exited with code ${String(code)}`));
      });
      child.send({ root, latencyMs });
    });
  } catch (err) {
    child.kill();
    throw err;
  }
  return {
    url,
    urlFor: (file) => new URL(file.split('/').map(encodeURIComponent).join('/'), url).toString(),
    requestCount: () => ask(child),
    close: () => stop(child),
  };
}

function ask(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    const onMessage = (m: unknown) => {
      const count = (m as { count?: number }).count;
      if (count === undefined) return;
      child.off('message', onMessage);
      resolve(count);
    };
    child.on('message', onMessage);
    child.send({ type: 'count' });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.disconnect();
  });
}
