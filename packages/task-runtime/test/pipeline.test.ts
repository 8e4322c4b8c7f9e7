import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tensorFromImage } from '@offsample/model';
import { softmax } from '@offsample/model';
import { createPipeline, createSessionPool, type ItemOutcome, type Pipeline, type TaskManagerConfigInput, type WorkItem } from '../src/index.js';
import { createFixture, type Fixture } from './model-fixture.js';

// Test settings: short timeouts, one retry, 1 thread (one thread setting per process, STACK.md).
const CONFIG: TaskManagerConfigInput = {
  load: { allowLoopback: true, allowLocalFiles: true, timeoutMs: 400, retries: 1, retryBaseDelayMs: 5, retryMaxDelayMs: 20, maxBytes: 200_000 },
  predict: { batchSize: 8, sessions: 1, intraOpThreads: 1 },
};

let fx: Fixture;
let pipeline: Pipeline;

beforeAll(async () => {
  fx = await createFixture(24);
  pipeline = await createPipeline(CONFIG, fx.model);
});

afterAll(async () => {
  await pipeline?.close();
  await fx?.close();
});

const items = (inputs: string[]): WorkItem[] => inputs.map((input, index) => ({ index, input }));

function expectMatchesReference(outcome: ItemOutcome, file: string): void {
  const ref = fx.expected.get(file)!;
  expect(outcome.errorCode, `${file}: ${outcome.errorMessage}`).toBeNull();
  expect(outcome.errorMessage).toBeNull();
  expect(outcome.label).toBe(ref.label);
  expect(outcome.probabilities).toHaveLength(ref.probabilities.length);
  outcome.probabilities!.forEach((p, i) => expect(p).toBeCloseTo(ref.probabilities[i]!, 5));
}

describe('pipeline', () => {
  it('gives the same predictions as the model run directly, over HTTP and from files', async () => {
    const http = await pipeline.run(items(fx.files.map((f) => `${fx.server.url}/img/${f}`)));
    const local = await pipeline.run(items(fx.files.map((f) => join(fx.dir, f))));
    fx.files.forEach((file, i) => {
      expectMatchesReference(http[i]!, file);
      expectMatchesReference(local[i]!, file);
      expect(http[i]!.index).toBe(i);
      expect(typeof http[i]!.fetchMs).toBe('number');
      expect(typeof http[i]!.preprocessMs).toBe('number');
      expect(typeof http[i]!.inferMs).toBe('number');
    });
  });

  it('gives each bad input its code while the other items succeed, in input order', async () => {
    const good = (i: number) => `${fx.server.url}/img/${fx.files[i]}`;
    const cases: Array<[string, string | null]> = [
      [good(0), null],
      [`${fx.server.url}/img/does-not-exist.png`, 'NOT_FOUND'],
      [good(1), null],
      [`${fx.server.url}/broken`, 'HTTP_ERROR'],
      [`${fx.server.url}/hang`, 'TIMEOUT'],
      [`${fx.server.url}/huge`, 'TOO_LARGE'],
      [`${fx.server.url}/img/notes.txt`, 'NOT_AN_IMAGE'],
      [`${fx.server.url}/img/truncated.png`, 'DECODE_FAILED'],
      [join(fx.dir, 'no-such-file.png'), 'NOT_FOUND'],
      ['http://169.254.169.254/latest/meta-data/iam/security-credentials/', 'FORBIDDEN_ADDRESS'],
      ['gopher://example.org/x', 'BAD_INPUT'],
      [`${fx.server.url}/flaky`, null],
      [good(2), null],
    ];
    const seen: ItemOutcome[] = [];
    const outcomes = await pipeline.run(
      cases.map(([input], i) => ({ index: 100 + i, input })),
      (o) => seen.push(o),
    );
    expect(outcomes.map((o) => o.index)).toEqual(cases.map((_, i) => 100 + i));
    expect(outcomes.map((o) => o.errorCode)).toEqual(cases.map(([, code]) => code));
    for (const o of outcomes) {
      // exactly one of label / errorCode
      expect((o.label === null) !== (o.errorCode === null)).toBe(true);
      expect((o.probabilities === null) === (o.label === null)).toBe(true);
      expect((o.errorMessage === null) === (o.errorCode === null)).toBe(true);
    }
    expectMatchesReference(outcomes[0]!, fx.files[0]!);
    expectMatchesReference(outcomes[11]!, fx.files[0]!); // 503 then 200
    expect(fx.server.hits.get('/flaky')).toBe(2);
    expect(fx.server.hits.get('/broken')).toBe(2); // first try + one retry
    // onOutcome saw every item exactly once
    expect(seen.map((o) => o.index).sort((a, b) => a - b)).toEqual(outcomes.map((o) => o.index));
  });

  it('gives duplicate inputs one outcome each', async () => {
    const input = `${fx.server.url}/img/${fx.files[3]}`;
    const outcomes = await pipeline.run([
      { index: 0, input },
      { index: 1, input: join(fx.dir, fx.files[4]!) },
      { index: 2, input },
      { index: 3, input },
    ]);
    expect(outcomes.map((o) => o.index)).toEqual([0, 1, 2, 3]);
    for (const i of [0, 2, 3]) expectMatchesReference(outcomes[i]!, fx.files[3]!);
    expectMatchesReference(outcomes[1]!, fx.files[4]!);
  });

  it('shares the stages between runs in flight at once, each getting its own outcomes', async () => {
    const a = fx.files.slice(0, 12);
    const b = fx.files.slice(12);
    const [ra, rb] = await Promise.all([
      pipeline.run(items(a.map((f) => `${fx.server.url}/img/${f}`))),
      pipeline.run(items(b.map((f) => join(fx.dir, f)))),
    ]);
    a.forEach((f, i) => expectMatchesReference(ra[i]!, f));
    b.forEach((f, i) => expectMatchesReference(rb[i]!, f));
    expect(pipeline.stats().inFlight).toBe(0);
  });

  it('with batchSize 8 and many items, every outcome is still right', async () => {
    const many = Array.from({ length: 96 }, (_, i) => fx.files[(i * 7) % fx.files.length]!);
    const outcomes = await pipeline.run(items(many.map((f) => join(fx.dir, f))));
    many.forEach((f, i) => expectMatchesReference(outcomes[i]!, f));
    expect(pipeline.stats().batches).toBeGreaterThan(0);
  });

  it('a cancelled run ends every item, as CANCELLED where work was skipped', async () => {
    const controller = new AbortController();
    controller.abort();
    const outcomes = await pipeline.run(items(fx.files.map((f) => join(fx.dir, f))), undefined, { signal: controller.signal });
    expect(outcomes).toHaveLength(fx.files.length);
    expect(new Set(outcomes.map((o) => o.errorCode))).toEqual(new Set(['CANCELLED']));
  });

  it('an empty run resolves at once', async () => {
    expect(await pipeline.run([])).toEqual([]);
  });
});

describe.each(['worker', 'main'] as const)('inference slots, runner %s', (runner) => {
  it('a batch of 8 equals the 8 images run one by one', async () => {
    const pool = await createSessionPool(fx.model, { sessions: 1, intraOpThreads: 1, runner });
    try {
      const slot = pool.slots[0]!;
      const tensors = await Promise.all(fx.files.slice(0, 8).map(async (f) => tensorFromImage(await readFile(join(fx.dir, f)), fx.model.manifest)));
      const batch = await slot.predictBatch(tensors);
      expect(batch).toHaveLength(8);
      batch.forEach((p, i) => {
        const ref = fx.expected.get(fx.files[i]!)!;
        expect(p.label).toBe(ref.label);
        p.probabilities.forEach((v, k) => expect(v).toBeCloseTo(ref.probabilities[k]!, 5));
      });
      await expect(slot.predictBatch([new Float32Array(3)])).rejects.toThrow(expect.objectContaining({ code: 'INFERENCE_FAILED' }));
    } finally {
      await pool.release();
    }
  });

  it('a failed batch is retried item by item, so one bad tensor fails alone', async () => {
    const pool = await createSessionPool(fx.model, { sessions: 1, intraOpThreads: 1, runner });
    try {
      const good = await Promise.all(fx.files.slice(0, 2).map(async (f) => tensorFromImage(await readFile(join(fx.dir, f)), fx.model.manifest)));
      const poisoned = new Float32Array(good[0]!.length).fill(Number.NaN); // the model answers NaN for it
      const runs: Array<[number, string | undefined]> = [];
      const results = await pool.slots[0]!.predictEach([good[0]!, poisoned, good[1]!], (size, error) => runs.push([size, error?.code]));
      expect(runs).toEqual([
        [3, 'INFERENCE_FAILED'],
        [1, undefined],
        [1, 'INFERENCE_FAILED'],
        [1, undefined],
      ]);
      expect(results.map((r) => r.ok)).toEqual([true, false, true]);
      expect(results[0]!.ok && results[0]!.prediction.label).toBe(fx.expected.get(fx.files[0]!)!.label);
      expect(results[2]!.ok && results[2]!.prediction.label).toBe(fx.expected.get(fx.files[1]!)!.label);
      expect(!results[1]!.ok && results[1]!.error.code).toBe('INFERENCE_FAILED');
    } finally {
      await pool.release();
    }
  });

  it('applies softmax when the manifest says the output is logits', async () => {
    // Same graph, manifest claiming logits: the outputs must come back softmaxed.
    const asLogits = { ...fx.model, manifest: { ...fx.model.manifest, output: 'logits' as const } };
    const pool = await createSessionPool(asLogits, { sessions: 1, intraOpThreads: 1, runner });
    try {
      const tensor = await tensorFromImage(await readFile(join(fx.dir, fx.files[0]!)), fx.model.manifest);
      const [p] = await pool.slots[0]!.predictBatch([tensor]);
      const raw = fx.expected.get(fx.files[0]!)!.probabilities; // the graph's own output
      softmax(raw).forEach((v, k) => expect(p!.probabilities[k]).toBeCloseTo(v, 6));
    } finally {
      await pool.release();
    }
  });
});

describe('pipeline lifecycle', () => {
  it('refuses runs after close and leaves accepted runs to finish', async () => {
    const p = await createPipeline(CONFIG, fx.model);
    const pending = p.run(items([join(fx.dir, fx.files[0]!)]));
    const closing = p.close();
    await expect(p.run(items([join(fx.dir, fx.files[0]!)]))).rejects.toThrow(expect.objectContaining({ code: 'PIPELINE_CLOSED' }));
    expectMatchesReference((await pending)[0]!, fx.files[0]!);
    await closing;
  });

  it('refuses a bad config with a message naming the field', async () => {
    await expect(createPipeline({ predict: { batchSize: 0 } }, fx.model)).rejects.toThrow(/config\.predict\.batchSize .*\(got 0\)/);
  });
});
