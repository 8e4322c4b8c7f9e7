import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseCachedSessions, runTaskManager, type ItemOutcome } from '../src/index.js';
import { ReportRequestSchema } from '../src/protocol.js';
import { createFixture, type Fixture } from './model-fixture.js';

let fx: Fixture;

beforeAll(async () => {
  fx = await createFixture(10);
});

afterAll(async () => {
  await releaseCachedSessions();
  await fx?.close();
});

const config = {
  load: { allowLoopback: true, allowLocalFiles: true, timeoutMs: 2000, retries: 1, retryBaseDelayMs: 5 },
  predict: { batchSize: 4, intraOpThreads: 1 },
};

function payload(inputs: string[], extra: Record<string, unknown> = {}) {
  return {
    version: 1,
    jobId: 'job-1',
    taskManagerId: 'tm-1',
    mode: 'static',
    split: { splitId: 'split-0', items: inputs.map((input, i) => ({ index: 10 + i, input })) },
    config,
    ...extra,
  };
}

describe('runTaskManager (static mode)', () => {
  it('runs the split with the shipped model and reports', async () => {
    const inputs = [...fx.files.map((f) => `${fx.server.url}/img/${f}`), `${fx.server.url}/img/missing.png`];
    const streamed: ItemOutcome[] = [];
    let clock = Date.parse('2030-01-01T00:00:00.000Z');
    const { outcomes, report } = await runTaskManager(payload(inputs), { onOutcome: (o) => streamed.push(o), now: () => (clock += 1000) });
    expect(outcomes.map((o) => o.index)).toEqual(inputs.map((_, i) => 10 + i));
    fx.files.forEach((f, i) => {
      expect(outcomes[i]!.errorCode).toBeNull();
      expect(outcomes[i]!.label).toBe(fx.expected.get(f)!.label);
    });
    expect(outcomes.at(-1)!.errorCode).toBe('NOT_FOUND');
    expect(streamed).toHaveLength(inputs.length);
    expect(report).toMatchObject({ taskManagerId: 'tm-1', items: inputs.length - 1, errors: 1, splits: 1, coldStart: true });
    expect(report.peakRssBytes).toBeGreaterThan(1e6);
    // The report is what the worker protocol's report call carries.
    expect(ReportRequestSchema.safeParse(report).success).toBe(true);
    expect(report.startedAt).toBe('2030-01-01T00:00:01.000Z');
    expect(report.endedAt).toBe('2030-01-01T00:00:02.000Z');
    expect(report.modelLoadMs).toBeGreaterThan(0);
    expect(report.busyMs).toBeGreaterThan(0);
    expect(report.idleMs).toBeGreaterThanOrEqual(0);
  });

  it('reuses the loaded model on the next call (warm start)', async () => {
    const { outcomes, report } = await runTaskManager(payload([join(fx.dir, fx.files[0]!)]));
    expect(outcomes[0]!.label).toBe(fx.expected.get(fx.files[0]!)!.label);
    expect(report.coldStart).toBe(false);
    expect(report.modelLoadMs).toBe(0);
  });

  it('refuses a bad payload or config with a message naming the field', async () => {
    await expect(runTaskManager({ ...payload([]), version: 3 })).rejects.toThrow(expect.objectContaining({ code: 'PAYLOAD_INVALID' }));
    await expect(runTaskManager(payload(['a.png'], { config: { predict: { batchSize: 0 } } }))).rejects.toThrow(
      /config\.predict\.batchSize must be an integer .*\(got 0\)/,
    );
    await expect(runTaskManager(payload(['a.png'], { config: { load: { maxBytez: 1 } } }))).rejects.toThrow(/config\.load has unknown key 'maxBytez'/);
    await expect(runTaskManager(payload(['a.png'], { model: { dir: join(fx.dir, 'no-model') } }))).rejects.toThrow(
      expect.objectContaining({ code: 'MODEL_LOAD_FAILED' }),
    );
  });

  it('an empty split gives an empty result', async () => {
    const { outcomes, report } = await runTaskManager(payload([]));
    expect(outcomes).toEqual([]);
    expect(report).toMatchObject({ items: 0, errors: 0 });
  });
});
