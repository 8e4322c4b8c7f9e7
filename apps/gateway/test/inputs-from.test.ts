import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readInputsFrom, type InputsFromLimits } from '../dist/index.js';

const limits: InputsFromLimits = { maxCount: 1000, maxBytes: 1 << 20, maxInputLength: 100, timeoutMs: 5000, allowedDirs: null };

async function codeAndPath(p: Promise<unknown>): Promise<[unknown, unknown]> {
  const err = (await p.then(() => null, (e: unknown) => e)) as { extensions?: { code?: unknown; fields?: { path: unknown }[] } } | null;
  return [err?.extensions?.code, err?.extensions?.fields?.[0]?.path];
}

describe('inputsFrom', () => {
  let dir: string;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'gw-inputs-'));
    server = createServer((req, res) => {
      if (req.url === '/list.txt') res.end('http://a/1.png\r\n\n# comment\nhttp://a/2.png\n  http://a/3.png  ');
      else if (req.url === '/endless') {
        // Streams forever: the reader must stop at its byte cap.
        const write = () => res.write('http://a/x.png\n'.repeat(1000), () => setImmediate(write));
        res.on('close', () => undefined);
        write();
      } else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a file: one input per line, blank lines and # comments skipped, CRLF tolerated', async () => {
    const file = path.join(dir, 'a.txt');
    await writeFile(file, 'k/1.png\r\n\n#x\nk/2.png\n');
    expect(await readInputsFrom(file, limits)).toEqual(['k/1.png', 'k/2.png']);
  });

  it('reads an http URL', async () => {
    expect(await readInputsFrom(`${base}/list.txt`, limits)).toEqual(['http://a/1.png', 'http://a/2.png', 'http://a/3.png']);
  });

  it('refuses missing files, HTTP errors, other schemes, files outside the allowed dirs, and oversize sources', async () => {
    expect(await codeAndPath(readInputsFrom(path.join(dir, 'missing.txt'), limits))).toEqual(['BAD_USER_INPUT', 'input.inputsFrom']);
    expect(await codeAndPath(readInputsFrom(`${base}/nope`, limits))).toEqual(['BAD_USER_INPUT', 'input.inputsFrom']);
    expect(await codeAndPath(readInputsFrom('ftp://x/y', limits))).toEqual(['BAD_USER_INPUT', 'input.inputsFrom']);
    const file = path.join(dir, 'b.txt');
    await writeFile(file, 'x\n');
    const elsewhere = { ...limits, allowedDirs: [path.join(dir, 'allowed')] };
    expect(await codeAndPath(readInputsFrom(file, elsewhere))).toEqual(['BAD_USER_INPUT', 'input.inputsFrom']);
    expect(await readInputsFrom(file, { ...limits, allowedDirs: [dir] })).toEqual(['x']);
    expect(await codeAndPath(readInputsFrom(`${base}/endless`, { ...limits, maxCount: 10_000_000, maxBytes: 200_000 }))).toEqual([
      'BAD_USER_INPUT',
      'input.inputsFrom',
    ]);
    const many = path.join(dir, 'many.txt');
    await writeFile(many, 'x\n'.repeat(1001));
    expect(await codeAndPath(readInputsFrom(many, limits))).toEqual(['BAD_USER_INPUT', 'input.inputsFrom']);
  });
});
