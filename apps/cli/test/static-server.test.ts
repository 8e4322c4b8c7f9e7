import http from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStaticServer, type StaticServer } from '../dist/static-server.js';

/** Raw GET without URL normalisation, so '..' reaches the server as sent. */
function rawGet(port: number, rawPath: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('static server', () => {
  let root: string;
  let server: StaticServer;
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'offsample-static-'));
    await mkdir(path.join(root, 'sub dir'));
    await writeFile(path.join(root, 'sub dir', 'a.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    await writeFile(path.join(root, 'b.txt'), 'hello');
    await writeFile(path.join(root, '..', `${path.basename(root)}-secret.txt`), 'secret');
    server = await startStaticServer({ root });
  });
  afterAll(async () => {
    await server?.close();
    await rm(path.join(root, '..', `${path.basename(root)}-secret.txt`), { force: true });
    await rm(root, { recursive: true, force: true });
  });

  it('serves files with their content type and length, over a kept-alive connection', async () => {
    const png = await fetch(server.urlFor('sub dir/a.png'));
    expect(png.status).toBe(200);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(png.headers.get('content-length')).toBe('4');
    expect(Buffer.from(await png.arrayBuffer())).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    const txt = await fetch(server.urlFor('b.txt'));
    expect(txt.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(txt.headers.get('connection')).toBe('keep-alive');
    expect(await txt.text()).toBe('hello');
    const head = await fetch(server.urlFor('b.txt'), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe('5');
  });

  it('answers 404 for missing files, folders and paths outside the root; 405 for other methods', async () => {
    expect((await fetch(server.urlFor('nope.png'))).status).toBe(404);
    expect((await fetch(server.urlFor('sub dir'))).status).toBe(404);
    expect(await rawGet(server.port, `/../${path.basename(root)}-secret.txt`)).toBe(404);
    expect(await rawGet(server.port, `/%2e%2e/${path.basename(root)}-secret.txt`)).toBe(404);
    expect((await fetch(server.urlFor('b.txt'), { method: 'POST', body: 'x' })).status).toBe(405);
  });

  it('delays each response by latencyMs', async () => {
    const slow = await startStaticServer({ root, latencyMs: 150 });
    try {
      const t0 = performance.now();
      expect((await fetch(slow.urlFor('b.txt'))).status).toBe(200);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
      expect(slow.requestCount()).toBe(1);
    } finally {
      await slow.close();
    }
  });

  it('refuses a root that is not a folder', async () => {
    await expect(startStaticServer({ root: path.join(root, 'b.txt') })).rejects.toThrow(/not a folder/);
  });
});
