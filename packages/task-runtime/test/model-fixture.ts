/**
 * Shared fixture for the tests that need the shipped model: a generated dataset on disk, an HTTP
 * server serving it (plus one route per failure kind), and reference predictions computed by
 * running onnxruntime directly on `tensorFromImage` output, one image at a time.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { defaultModelDir, generateDataset, loadModel, softmax, tensorFromImage, type ModelManifest } from '@offsample/model';
import { startServer, tempDir, type TestServer } from './helpers.js';

export interface Reference {
  label: string;
  probabilities: number[];
}

export interface Fixture {
  model: { manifest: ModelManifest; modelPath: string };
  dir: string;
  files: string[];
  server: TestServer;
  /** Reference prediction per file name. */
  expected: Map<string, Reference>;
  close(): Promise<void>;
}

export async function referencePredict(session: ort.InferenceSession, manifest: ModelManifest, bytes: Buffer): Promise<Reference> {
  const tensor = await tensorFromImage(bytes, manifest);
  const feed = new ort.Tensor('float32', tensor, [1, manifest.channels, manifest.height, manifest.width]);
  const out = await session.run({ [manifest.inputName]: feed });
  const row = Array.from(out[manifest.outputName]!.data as Float32Array);
  const probabilities = manifest.output === 'logits' ? softmax(row) : row;
  const best = probabilities.indexOf(Math.max(...probabilities));
  return { label: manifest.labels[best]!, probabilities };
}

export async function createFixture(count: number): Promise<Fixture> {
  const model = await loadModel(defaultModelDir());
  const tmp = await tempDir('pipeline');
  const { files } = await generateDataset({ count, outDir: tmp.dir, seed: 1234, minSizePx: 24, maxSizePx: 96 });
  const names = files.map((f) => f.file);
  const firstPng = await readFile(join(tmp.dir, names[0]!));
  await writeFile(join(tmp.dir, 'notes.txt'), 'this is a text file, not an image\n');
  await writeFile(join(tmp.dir, 'truncated.png'), firstPng.subarray(0, Math.floor(firstPng.length / 2)));

  const session = await ort.InferenceSession.create(model.modelPath, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const expected = new Map<string, Reference>();
  try {
    for (const name of names) expected.set(name, await referencePredict(session, model.manifest, await readFile(join(tmp.dir, name))));
  } finally {
    await session.release();
  }

  const server = await startServer((req, res, hit) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const serveFile = async (name: string) => {
      try {
        const body = await readFile(join(tmp.dir, name));
        res.setHeader('content-type', 'application/octet-stream');
        res.end(body);
      } catch {
        res.statusCode = 404;
        res.end();
      }
    };
    if (path.startsWith('/img/')) void serveFile(decodeURIComponent(path.slice('/img/'.length)));
    else if (path === '/broken') {
      res.statusCode = 500;
      res.end();
    } else if (path === '/hang') {
      // never answers
    } else if (path === '/huge') {
      res.end(Buffer.alloc(300_000));
    } else if (path === '/flaky') {
      if (hit === 1) {
        res.statusCode = 503;
        res.end();
      } else void serveFile(names[0]!);
    } else {
      res.statusCode = 404;
      res.end();
    }
  });

  return {
    model,
    dir: tmp.dir,
    files: names,
    server,
    expected,
    async close() {
      await server.close();
      await tmp.remove();
    },
  };
}
