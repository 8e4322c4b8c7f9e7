import { PROTOCOL_LIMITS } from '@offsample/task-runtime/protocol';
import { describe, expect, it } from 'vitest';
import { compileJobOptions, safeName } from '../src/job/compile.js';
import { JOB_DEFAULTS, JOB_LIMITS } from '../src/job/defaults.js';
import { JobOptionsError } from '../src/job/errors.js';

const base = { inputs: ['https://example.org/a.png', 'https://example.org/b.png'], name: 'demo' };

function refusal(input: unknown): JobOptionsError {
  try {
    compileJobOptions(input);
  } catch (err) {
    expect(err).toBeInstanceOf(JobOptionsError);
    return err as JobOptionsError;
  }
  throw new Error('compileJobOptions accepted a bad job');
}

describe('compileJobOptions', () => {
  it('fills the defaults and freezes the result', () => {
    const job = compileJobOptions(base);
    expect(job).toMatchObject({
      name: 'demo',
      bucket: null,
      splitSize: null,
      numTaskManagers: null,
      backend: 'local',
      splitMode: 'dynamic',
      speculation: { enabled: false, quantile: 0.75, multiplier: 2, extraTaskManagers: 1 },
      keepAlive: { enabled: true, intervalMs: 2_000 },
      leaseMs: 10_000,
      maxSplitRetries: 1,
      output: { storage: 'print', location: null, bucket: null },
      taskManagerConfig: null,
      model: null,
    });
    expect(Object.isFrozen(job)).toBe(true);
    expect(Object.isFrozen(job.inputs)).toBe(true);
    expect(Object.isFrozen(job.speculation)).toBe(true);
    expect(Object.isFrozen(JOB_DEFAULTS.speculation)).toBe(true);
  });

  it('keeps what the user set', () => {
    const job = compileJobOptions({
      ...base,
      splitSize: 8,
      numTaskManagers: 3,
      backend: 'lambda',
      splitMode: 'static',
      speculation: { enabled: true, quantile: 0.5, multiplier: 1.5, extraTaskManagers: 0 },
      keepAlive: { enabled: false },
      maxSplitRetries: 0,
      output: { storage: 's3', bucket: 'results-bucket', location: 'runs/1' },
      taskManagerConfig: { predict: { batchSize: 4 } },
      model: { dir: '/models/x' },
    });
    expect(job.splitSize).toBe(8);
    expect(job.numTaskManagers).toBe(3);
    expect(job.splitMode).toBe('static');
    expect(job.leaseMs).toBe(900_000); // no heartbeats: the lease covers a whole split
    expect(job.output).toEqual({ storage: 's3', location: 'runs/1', bucket: 'results-bucket' });
    expect(job.taskManagerConfig).toEqual({ predict: { batchSize: 4 } });
    expect(Object.isFrozen((job.taskManagerConfig as { predict: object }).predict)).toBe(true);
  });

  it('gives local output a default location from the job name', () => {
    const job = compileJobOptions({ ...base, name: 'ion images / run 1', output: { storage: 'local' } });
    expect(job.output.location).toBe('offsample-results/ion-images-run-1');
    expect(safeName('../..')).toBe('job');
  });

  it('accepts bucket keys and local paths on the local backend', () => {
    expect(compileJobOptions({ inputs: ['a/b.png', 'c.png'], name: 'keys', bucket: 'my-bucket' }).bucket).toBe('my-bucket');
    expect(compileJobOptions({ inputs: ['/data/a.png', 'file:///data/b.png'], name: 'paths' }).inputs).toHaveLength(2);
  });

  it.each([
    [{ ...base, splitSize: -3 }, 'job.splitSize', 'must be an integer from 1 to 5000 (got -3)'],
    [{ ...base, splitSize: 2.5 }, 'job.splitSize', '(got 2.5)'],
    [{ ...base, splitSize: '8' }, 'job.splitSize', '(got "8")'],
    [{ ...base, numTaskManagers: 0 }, 'job.numTaskManagers', '(got 0)'],
    [{ ...base, backend: 'k8s' }, 'job.backend', "must be one of 'local', 'lambda' (got \"k8s\")"],
    [{ ...base, splitMode: 'pull' }, 'job.splitMode', "must be one of 'dynamic', 'static'"],
    [{ ...base, speculation: { quantile: 0 } }, 'job.speculation.quantile', '(got 0)'],
    [{ ...base, speculation: { multiplier: 0.5 } }, 'job.speculation.multiplier', '(got 0.5)'],
    [{ ...base, speculation: { extraTaskManagers: -1 } }, 'job.speculation.extraTaskManagers', '(got -1)'],
    [{ ...base, speculation: { enabled: 'yes' } }, 'job.speculation.enabled', 'must be true or false (got "yes")'],
    [{ ...base, keepAlive: { intervalMs: 5 } }, 'job.keepAlive.intervalMs', '(got 5)'],
    [{ ...base, leaseMs: 10 }, 'job.leaseMs', '(got 10)'],
    [{ ...base, keepAlive: { intervalMs: 2_000 }, leaseMs: 3_000 }, 'job.leaseMs', 'at least 2 × job.keepAlive.intervalMs (4000)'],
    [{ ...base, maxSplitRetries: 1000 }, 'job.maxSplitRetries', '(got 1000)'],
    [{ ...base, bucket: 'Bad_Bucket' }, 'job.bucket', '(got "Bad_Bucket")'],
    [{ ...base, name: '' }, 'job.name', '(got "")'],
    [{ inputs: base.inputs }, 'job.name', 'is required'],
    [{ ...base, output: { storage: 'ftp' } }, 'job.output.storage', "must be one of 'print', 'local', 's3'"],
    [{ ...base, output: { storage: 's3' } }, 'job.output.bucket', "is required when job.output.storage is 's3'"],
    [{ ...base, output: { storage: 'local', bucket: 'b-bucket' } }, 'job.output.bucket', "only used with job.output.storage 's3'"],
    [{ ...base, output: { location: '/tmp/x' } }, 'job.output.location', "only used with job.output.storage 'local' or 's3'"],
    [{ ...base, taskManagerConfig: 'fast' }, 'job.taskManagerConfig', 'must be an object'],
    [{ ...base, model: { dir: '' } }, 'job.model.dir', '(got "")'],
    [{ ...base, taskManagerConfig: { predict: { batchSize: 0 } } }, 'job.taskManagerConfig.predict.batchSize', '(got 0)'],
    [{ ...base, taskManagerConfig: { turbo: true } }, 'job.taskManagerConfig', "unknown key 'turbo'"],
    [{ ...base, splitsize: 4 }, 'job', "unknown key 'splitsize'"],
    [{ ...base, inputs: [] }, 'job.inputs', 'must not be empty'],
    [{ ...base, inputs: 'a.png' }, 'job.inputs', 'must be an array of strings (got "a.png")'],
    [{ name: 'x' }, 'job.inputs', 'is required'],
    [{ ...base, inputs: ['https://e.org/a.png', ''] }, 'job.inputs[1]', 'must be a non-empty string (got "")'],
    [{ ...base, inputs: ['https://e.org/a.png', 7] }, 'job.inputs[1]', 'must be a string (got 7)'],
    [{ ...base, inputs: ['ftp://e.org/a.png'] }, 'job.inputs[0]', "unsupported scheme 'ftp:'"],
    [{ ...base, inputs: ['http://'] }, 'job.inputs[0]', 'must be a valid http(s) URL'],
    [{ ...base, inputs: ['a\nb.png'] }, 'job.inputs[0]', 'control characters'],
    [{ ...base, inputs: [`https://e.org/${'x'.repeat(2100)}`] }, 'job.inputs[0]', 'at most 2048 characters'],
    [{ ...base, backend: 'lambda', inputs: ['/data/a.png'] }, 'job.inputs[0]', 'lambda task manager cannot read'],
  ])('refuses %j naming %s', (input, path, text) => {
    const err = refusal(input);
    expect(err.code).toBe('INVALID_JOB_OPTIONS');
    expect(err.retryable).toBe(false);
    const issue = err.issues.find((i) => i.path === path);
    expect(issue, `issues: ${err.message}`).toBeDefined();
    expect(`${issue!.path} ${issue!.message}`).toContain(text);
    expect(err.message).toContain(path);
  });

  it('reports every problem at once, and bounds the list for huge input lists', () => {
    const err = refusal({ ...base, splitSize: 0, inputs: Array.from({ length: 50 }, () => ''), output: { storage: 'zip' } });
    expect(err.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['job.splitSize', 'job.output.storage', 'job.inputs[0]', 'job.inputs[9]', 'job.inputs']));
    expect(err.issues.filter((i) => i.path.startsWith('job.inputs['))).toHaveLength(10);
    expect(err.issues.find((i) => i.path === 'job.inputs')!.message).toBe('has 40 more bad entries not listed');
  });

  it('keeps its limits equal to the worker protocol limits, so every accepted job fits the wire', () => {
    expect(JOB_LIMITS.maxSplitSize).toBe(PROTOCOL_LIMITS.maxItemsPerSplit);
    expect(JOB_LIMITS.maxInputChars).toBe(PROTOCOL_LIMITS.maxInputChars);
  });

  it('refuses a non-object', () => {
    expect(refusal(null).message).toBe('job must be an object (got null)');
    expect(refusal([1]).issues[0]!.path).toBe('job');
  });
});
