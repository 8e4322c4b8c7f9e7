import { describe, expect, it } from 'vitest';
import { compileTaskManagerConfig, OffsampleError, TASK_MANAGER_DEFAULTS, parseTaskManagerPayload } from '../src/index.js';

function configError(input: unknown): string {
  try {
    compileTaskManagerConfig(input);
  } catch (err) {
    expect(err).toBeInstanceOf(OffsampleError);
    expect((err as OffsampleError).code).toBe('CONFIG_INVALID');
    return (err as Error).message;
  }
  throw new Error('config was accepted');
}

describe('compileTaskManagerConfig', () => {
  it('fills defaults and freezes the result', () => {
    const config = compileTaskManagerConfig({ predict: { batchSize: 4 }, load: { allowLoopback: true } });
    expect(config.predict).toEqual({ ...TASK_MANAGER_DEFAULTS.predict, batchSize: 4 });
    expect(config.load.allowLoopback).toBe(true);
    expect(config.load.timeoutMs).toBe(TASK_MANAGER_DEFAULTS.load.timeoutMs);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.load)).toBe(true);
    expect(compileTaskManagerConfig(undefined)).toEqual(TASK_MANAGER_DEFAULTS);
  });

  it('accepts its own output (a compiled config is a valid input)', () => {
    const config = compileTaskManagerConfig({ queues: { tensorCapacity: 3 } });
    expect(compileTaskManagerConfig(config)).toEqual(config);
  });

  it('names the bad field and value', () => {
    expect(configError({ predict: { batchSize: 0 } })).toMatch(/^config\.predict\.batchSize must be an integer .*1.* \(got 0\)$/);
    expect(configError({ load: { timeoutMs: 1.5 } })).toMatch(/config\.load\.timeoutMs must be an integer .*\(got 1\.5\)/);
    expect(configError({ load: { maxConcurrency: '8' } })).toMatch(/config\.load\.maxConcurrency .*\(got "8"\)/);
    expect(configError({ load: { allowLoopback: 'yes' } })).toMatch(/config\.load\.allowLoopback must be true or false \(got "yes"\)/);
    expect(configError({ load: { retries: -1 } })).toMatch(/config\.load\.retries .*\(got -1\)/);
    expect(configError({ predict: 3 })).toMatch(/config\.predict must be an object \(got 3\)/);
    expect(configError({ load: { retryBaseDelayMs: 1000, retryMaxDelayMs: 10 } })).toMatch(/config\.load\.retryMaxDelayMs/);
  });

  it('rejects unknown keys', () => {
    expect(configError({ load: { timeout: 5 } })).toBe("config.load has unknown key 'timeout'");
    expect(configError({ predictt: {} })).toBe("config has unknown key 'predictt'");
  });
});

describe('parseTaskManagerPayload', () => {
  const good = { version: 1, jobId: 'j', taskManagerId: 't', mode: 'static', split: { splitId: 's', items: [{ index: 0, input: 'a.png' }] } };

  it('accepts a static payload', () => {
    expect(parseTaskManagerPayload(good)).toEqual(good);
  });

  it('names the bad field', () => {
    const bad = (raw: unknown) => {
      try {
        parseTaskManagerPayload(raw);
      } catch (err) {
        expect((err as OffsampleError).code).toBe('PAYLOAD_INVALID');
        return (err as Error).message;
      }
      throw new Error('payload was accepted');
    };
    expect(bad({ ...good, version: 2 })).toMatch(/^payload\.version .*\(got 2\)/);
    expect(bad({ ...good, split: { splitId: 's', items: [{ index: -1, input: 'x' }] } })).toMatch(/payload\.split\.items\.0\.index/);
    expect(bad({ ...good, mode: 'other' })).toMatch(/payload\.mode/);
    expect(bad({ ...good, extra: 1 })).toMatch(/payload has unknown key 'extra'/);
  });
});
