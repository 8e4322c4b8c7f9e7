import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressRefusalReason, classifyInput, compileTaskManagerConfig, createFetcher, OffsampleError, type Fetcher } from '../src/index.js';
import { startServer, tempDir, type TestServer } from './helpers.js';

const LOAD = compileTaskManagerConfig({
  load: { allowLoopback: true, allowLocalFiles: true, timeoutMs: 300, retries: 2, retryBaseDelayMs: 5, retryMaxDelayMs: 20, maxBytes: 1000 },
}).load;

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(OffsampleError);
    return (err as OffsampleError).code;
  }
  return 'OK';
}

describe('HTTP fetch', () => {
  let server: TestServer;
  let fetcher: Fetcher;
  beforeAll(async () => {
    server = await startServer((req, res, hit) => {
      switch (req.url) {
        case '/ok':
          res.end('hello');
          return;
        case '/missing':
          res.statusCode = 404;
          res.end('no');
          return;
        case '/forbidden':
          res.statusCode = 403;
          res.end();
          return;
        case '/broken':
          res.statusCode = 500;
          res.end();
          return;
        case '/flaky':
          res.statusCode = hit === 1 ? 503 : 200;
          res.end(hit === 1 ? '' : 'second time lucky');
          return;
        case '/hang':
          return; // never answers
        case '/slow-body':
          res.write('x'); // headers and one byte, then nothing
          return;
        case '/big-declared':
          res.setHeader('content-length', '5000');
          res.end('x'.repeat(5000));
          return;
        case '/big-chunked':
          for (let i = 0; i < 50; i++) res.write('x'.repeat(100));
          res.end();
          return;
        case '/redirect':
          res.statusCode = 302;
          res.setHeader('location', '/ok');
          res.end();
          return;
        case '/redirect-metadata':
          res.statusCode = 302;
          res.setHeader('location', 'http://169.254.169.254/latest/meta-data/');
          res.end();
          return;
        case '/redirect-loop':
          res.statusCode = 302;
          res.setHeader('location', '/redirect-loop');
          res.end();
          return;
        default:
          res.statusCode = 400;
          res.end();
      }
    });
    fetcher = createFetcher(LOAD);
  });
  afterAll(async () => {
    fetcher.close();
    await server.close();
  });

  it('returns the body', async () => {
    expect((await fetcher.fetch(`${server.url}/ok`)).toString()).toBe('hello');
  });

  it('maps 404 to NOT_FOUND without retrying', async () => {
    expect(await codeOf(fetcher.fetch(`${server.url}/missing`))).toBe('NOT_FOUND');
    expect(server.hits.get('/missing')).toBe(1);
  });

  it('maps other 4xx to HTTP_ERROR without retrying', async () => {
    expect(await codeOf(fetcher.fetch(`${server.url}/forbidden`))).toBe('HTTP_ERROR');
    expect(server.hits.get('/forbidden')).toBe(1);
  });

  it('retries 5xx, then gives HTTP_ERROR', async () => {
    await expect(fetcher.fetch(`${server.url}/broken`)).rejects.toThrow(/HTTP 500 .*after 3 attempts/);
    expect(server.hits.get('/broken')).toBe(1 + LOAD.retries);
  });

  it('retries a 503 and then succeeds', async () => {
    expect((await fetcher.fetch(`${server.url}/flaky`)).toString()).toBe('second time lucky');
    expect(server.hits.get('/flaky')).toBe(2);
  });

  it('times out a server that never answers, after retrying', async () => {
    expect(await codeOf(fetcher.fetch(`${server.url}/hang`))).toBe('TIMEOUT');
    expect(server.hits.get('/hang')).toBe(1 + LOAD.retries);
    const once = createFetcher({ ...LOAD, retries: 0 });
    try {
      expect(await codeOf(once.fetch(`${server.url}/slow-body`))).toBe('TIMEOUT');
    } finally {
      once.close();
    }
  });

  it('refuses bodies over maxBytes, declared or streamed', async () => {
    expect(await codeOf(fetcher.fetch(`${server.url}/big-declared`))).toBe('TOO_LARGE');
    expect(await codeOf(fetcher.fetch(`${server.url}/big-chunked`))).toBe('TOO_LARGE');
    expect(server.hits.get('/big-chunked')).toBe(1);
  });

  it('follows redirects, re-checking each target address', async () => {
    expect((await fetcher.fetch(`${server.url}/redirect`)).toString()).toBe('hello');
    expect(await codeOf(fetcher.fetch(`${server.url}/redirect-metadata`))).toBe('FORBIDDEN_ADDRESS');
    expect(await codeOf(fetcher.fetch(`${server.url}/redirect-loop`))).toBe('HTTP_ERROR');
  });

  it('refuses metadata, link-local and (unless allowed) loopback addresses', async () => {
    const okHits = server.hits.get('/ok') ?? 0;
    expect(await codeOf(fetcher.fetch('http://169.254.169.254/latest/meta-data/'))).toBe('FORBIDDEN_ADDRESS');
    expect(await codeOf(fetcher.fetch('http://[fe80::1]/x.png'))).toBe('FORBIDDEN_ADDRESS');
    const strict = createFetcher(compileTaskManagerConfig({ load: { timeoutMs: 300, retries: 0 } }).load);
    try {
      expect(await codeOf(strict.fetch(`${server.url}/ok`))).toBe('FORBIDDEN_ADDRESS');
      // A name that resolves to loopback is refused after DNS, before connecting.
      const port = new URL(server.url).port;
      expect(await codeOf(strict.fetch(`http://localhost:${port}/ok`))).toBe('FORBIDDEN_ADDRESS');
      expect(await codeOf(strict.fetch(`http://[::ffff:127.0.0.1]:${port}/ok`))).toBe('FORBIDDEN_ADDRESS');
    } finally {
      strict.close();
    }
    expect(server.hits.get('/ok') ?? 0).toBe(okHits); // nothing refused reached the server
  });

  it('a connection refused is retried and ends as FETCH_FAILED', async () => {
    const gone = await startServer(() => undefined);
    const url = gone.url;
    await gone.close();
    expect(await codeOf(fetcher.fetch(`${url}/x`))).toBe('FETCH_FAILED');
  });
});

describe('local files', () => {
  it('reads paths and file:// URLs; maps missing, directories, size and permission', async () => {
    const tmp = await tempDir('files');
    try {
      const file = join(tmp.dir, 'a.bin');
      await writeFile(file, 'abc');
      await writeFile(join(tmp.dir, 'big.bin'), Buffer.alloc(2000));
      await mkdir(join(tmp.dir, 'sub'));
      const fetcher = createFetcher(LOAD);
      expect((await fetcher.fetch(file)).toString()).toBe('abc');
      expect((await fetcher.fetch(pathToFileURL(file).href)).toString()).toBe('abc');
      expect(await codeOf(fetcher.fetch(join(tmp.dir, 'nope.png')))).toBe('NOT_FOUND');
      expect(await codeOf(fetcher.fetch(join(tmp.dir, 'sub')))).toBe('BAD_INPUT');
      expect(await codeOf(fetcher.fetch(join(tmp.dir, 'big.bin')))).toBe('TOO_LARGE');
      fetcher.close();
      const noFiles = createFetcher(compileTaskManagerConfig({ load: { allowLocalFiles: false } }).load);
      expect(await codeOf(noFiles.fetch(file))).toBe('FORBIDDEN_ADDRESS');
      noFiles.close();
    } finally {
      await tmp.remove();
    }
  });
});

describe('classifyInput', () => {
  it('tells URLs, s3 objects, bucket keys and paths apart', () => {
    expect(classifyInput('https://example.org/a.png')).toMatchObject({ kind: 'http' });
    expect(classifyInput('s3://bkt/dir/a b.png')).toEqual({ kind: 's3', bucket: 'bkt', key: 'dir/a b.png' });
    expect(classifyInput('dir/a.png', 'jobbucket')).toEqual({ kind: 's3', bucket: 'jobbucket', key: 'dir/a.png' });
    expect(classifyInput('/data/a.png')).toEqual({ kind: 'file', path: '/data/a.png' });
    expect(classifyInput('file:///data/a.png', 'jobbucket')).toEqual({ kind: 'file', path: '/data/a.png' });
    for (const bad of ['', 'ftp://x/y', 'javascript:alert(1)', 's3://only-bucket', 'http://']) {
      expect(() => classifyInput(bad)).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
    }
  });
});

describe('address rules', () => {
  const none = { allowLoopback: false, allowPrivateAddresses: false };
  const loop = { allowLoopback: true, allowPrivateAddresses: false };
  const priv = { allowLoopback: false, allowPrivateAddresses: true };
  it('refuses link-local and metadata addresses whatever the policy', () => {
    for (const a of ['169.254.169.254', '169.254.170.2', 'fd00:ec2::254', 'fe80::1', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', '0.0.0.0', '::']) {
      expect(addressRefusalReason(a, priv), a).toBeDefined();
    }
  });
  it('allows loopback and private ranges only when told to', () => {
    expect(addressRefusalReason('127.0.0.1', none)).toBeDefined();
    expect(addressRefusalReason('127.0.0.1', loop)).toBeUndefined();
    expect(addressRefusalReason('::1', loop)).toBeUndefined();
    expect(addressRefusalReason('10.1.2.3', loop)).toBeDefined();
    expect(addressRefusalReason('10.1.2.3', priv)).toBeUndefined();
    expect(addressRefusalReason('192.168.0.9', none)).toBeDefined();
    expect(addressRefusalReason('fd12::1', none)).toBeDefined();
    expect(addressRefusalReason('::ffff:10.0.0.1', none)).toBeDefined();
  });
  it('allows public addresses', () => {
    for (const a of ['93.184.216.34', '8.8.8.8', '2606:4700::1111', '172.32.0.1']) expect(addressRefusalReason(a, none), a).toBeUndefined();
  });
});
