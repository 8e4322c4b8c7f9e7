import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tensorFromImage } from '@offsample/model';
import { compileTaskManagerConfig, createPipeline, createSessionPool, type SessionPool } from '../src/index.js';
import { createFixture, type Fixture } from './model-fixture.js';

let fx: Fixture;
let tensors: Float32Array[];

beforeAll(async () => {
  fx = await createFixture(16);
  tensors = await Promise.all(fx.files.map(async (f) => tensorFromImage(await readFile(join(fx.dir, f)), fx.model.manifest)));
});

afterAll(async () => {
  await fx?.close();
});

async function withPool<T>(settings: Parameters<typeof createSessionPool>[1], use: (pool: SessionPool) => Promise<T>): Promise<T> {
  const pool = await createSessionPool(fx.model, settings);
  try {
    return await use(pool);
  } finally {
    await pool.release();
  }
}

describe('session pool runners', () => {
  it('worker and main runners give identical outputs, spinning on or off', async () => {
    const onMain = await withPool({ sessions: 1, intraOpThreads: 1, runner: 'main' }, (p) => p.slots[0]!.predictEach(tensors));
    const inWorker = await withPool({ sessions: 2, intraOpThreads: 1, runner: 'worker', allowSpinning: true }, (p) =>
      Promise.all([p.slots[0]!.predictEach(tensors.slice(0, 8)), p.slots[1]!.predictEach(tensors.slice(8))]).then((r) => r.flat()),
    );
    expect(onMain.every((r) => r.ok)).toBe(true);
    // Exactly equal, not close: the same core runs the same graph on the same bytes.
    expect(inWorker.map((r) => r.ok && r.prediction)).toEqual(onMain.map((r) => r.ok && r.prediction));
    fx.files.forEach((f, i) => expect(onMain[i]!.ok && onMain[i]!.prediction.label).toBe(fx.expected.get(f)!.label));
  });

  it('runs each worker session on its own thread, and the pool reports its settings', async () => {
    await withPool({ sessions: 2, intraOpThreads: 1, runner: 'worker' }, async (pool) => {
      expect(pool.runner).toBe('worker');
      expect(pool.allowSpinning).toBe(false);
      const ids = pool.slots.map((s) => s.thread?.threadId);
      expect(ids.every((id) => typeof id === 'number' && id > 0)).toBe(true);
      expect(new Set(ids).size).toBe(2);
    });
    await withPool({ sessions: 1, intraOpThreads: 1, runner: 'main' }, async (pool) => expect(pool.slots[0]!.thread).toBeUndefined());
  });

  it('a tensor of the wrong size fails alone without being run', async () => {
    await withPool({ sessions: 1, intraOpThreads: 1, runner: 'worker' }, async (pool) => {
      const runs: Array<[number, string | undefined]> = [];
      const results = await pool.slots[0]!.predictEach([tensors[0]!, new Float32Array(3), tensors[1]!], (size, e) => runs.push([size, e?.code]));
      expect(results.map((r) => r.ok)).toEqual([true, false, true]);
      expect(!results[1]!.ok && results[1]!.error.code).toBe('INFERENCE_FAILED');
      expect(runs).toEqual([[2, undefined]]);
    });
  });

  it('a worker that dies with a batch outstanding fails that batch with INFERENCE_FAILED, and the next batch gets a new worker', async () => {
    await withPool({ sessions: 1, intraOpThreads: 1, runner: 'worker' }, async (pool) => {
      const slot = pool.slots[0]!;
      const first = slot.thread!;
      // Killed while idle, the request sent right after: it never gets an answer. (Killing a worker
      // inside session.run would abort the whole process: onnxruntime-node throws a C++ error there.)
      const killed = first.terminate();
      const results = await slot.predictEach(tensors.slice(0, 4));
      await killed;
      expect(results).toHaveLength(4);
      expect(new Set(results.map((r) => !r.ok && r.error.code))).toEqual(new Set(['INFERENCE_FAILED']));
      expect(!results[0]!.ok && results[0]!.error.message).toMatch(/inference worker stopped/);

      const again = await slot.predictEach(tensors.slice(0, 2));
      expect(again.every((r) => r.ok)).toBe(true);
      expect(slot.thread).toBeDefined();
      expect(slot.thread).not.toBe(first);
    });
  });

  it('release() waits for a batch in flight, then terminates the worker', async () => {
    const pool = await createSessionPool(fx.model, { sessions: 1, intraOpThreads: 1, runner: 'worker' });
    const big = Array.from({ length: 256 }, (_, i) => tensors[i % tensors.length]!);
    const inFlight = pool.slots[0]!.predictEach(big);
    await pool.release();
    expect((await inFlight).every((r) => r.ok)).toBe(true);
  });

  it('release() terminates the worker threads; later requests fail instead of hanging', async () => {
    const pool = await createSessionPool(fx.model, { sessions: 2, intraOpThreads: 1, runner: 'worker' });
    const exits = pool.slots.map((s) => new Promise<number>((resolve) => s.thread!.once('exit', resolve)));
    await pool.release();
    await Promise.all(exits);
    expect(pool.slots.map((s) => s.thread)).toEqual([undefined, undefined]);
    const [r] = await pool.slots[0]!.predictEach([tensors[0]!]);
    expect(!r!.ok && r!.error.code).toBe('INFERENCE_FAILED');
  });

  it('a pipeline over 2 worker sessions gives the reference labels and closes cleanly', async () => {
    const pipeline = await createPipeline({ load: { allowLocalFiles: true }, predict: { runner: 'worker', sessions: 2 } }, fx.model);
    const outcomes = await pipeline.run(fx.files.map((f, index) => ({ index, input: join(fx.dir, f) })));
    fx.files.forEach((f, i) => expect(outcomes[i]!.label).toBe(fx.expected.get(f)!.label));
    await pipeline.close();
  });

  it('a model the manifest does not fit is refused with MODEL_LOAD_FAILED in the worker too', async () => {
    const wrong = { ...fx.model, manifest: { ...fx.model.manifest, inputName: 'nope' } };
    await expect(createSessionPool(wrong, { sessions: 2, intraOpThreads: 1, runner: 'worker' })).rejects.toThrow(
      expect.objectContaining({ code: 'MODEL_LOAD_FAILED', message: expect.stringMatching(/manifest names nope/) }),
    );
  });

  it('idle workers never keep a finished process alive', async () => {
    // A real child process that loads a worker pool, infers once and never releases it.
    const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    const script = `
      const { createSessionPool } = await import(${JSON.stringify(dist)});
      const model = JSON.parse(process.argv[1]);
      const pool = await createSessionPool(model, { sessions: 2, intraOpThreads: 1, runner: 'worker' });
      const r = await pool.slots[0].predictEach([new Float32Array(${fx.model.manifest.channels * fx.model.manifest.height * fx.model.manifest.width})]);
      console.log(r[0].ok ? 'inferred' : r[0].error.message);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(fx.model)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error('child kept alive by its inference workers'));
      }, 20_000);
      child.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(out.trim()).toBe('inferred');
    expect(code).toBe(0);
  });
});

describe('predict config', () => {
  it('runner and allowSpinning have defaults and are validated', () => {
    expect(compileTaskManagerConfig({}).predict).toMatchObject({ runner: 'worker', allowSpinning: false });
    expect(() => compileTaskManagerConfig({ predict: { runner: 'gpu' as 'main' } })).toThrow(/config\.predict\.runner must be 'worker' or 'main' \(got "gpu"\)/);
    expect(() => compileTaskManagerConfig({ predict: { allowSpinning: 1 as unknown as boolean } })).toThrow(/config\.predict\.allowSpinning must be true or false \(got 1\)/);
  });
});
