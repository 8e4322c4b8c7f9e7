import { describe, expect, it } from 'vitest';
import { compileJobOptions } from '../src/job/compile.js';
import { JobPlanError, OrchestratorOptionsError } from '../src/job/errors.js';
import { capsFor, compileOrchestratorOptions } from '../src/policies/orchestrator-options.js';
import { resolveJobPlan, type PlanJob } from '../src/policies/plan.js';
import { jobPolicies, jobPolicy, SEED_SIZE_TABLE } from '../src/policies/policies.js';

const job = (numInputs: number, splitSize: number | null = null, numTaskManagers: number | null = null): PlanJob => ({
  numInputs,
  splitSize,
  numTaskManagers,
});
const roomy = { maxTaskManagers: 1_000 };
const plan = (j: PlanJob, policy = jobPolicies.default, caps: { maxTaskManagers: number; taskManagersInUse?: number } = roomy) => {
  const p = resolveJobPlan(j, policy, caps);
  return { splitSize: p.splitSize, numSplits: p.numSplits, numTaskManagers: p.numTaskManagers };
};

describe('default policy: one split per task manager', () => {
  it.each([
    // inputs, splitSize, numTMs → splitSize, splits, TMs
    [1, null, null, 1, 1, 1],
    [100, null, null, 32, 4, 4],
    [1_000, null, null, 32, 32, 32],
    [1_000, 100, null, 100, 10, 10],
    [1_000, null, 4, 250, 4, 4],
    [1_000, 100, 4, 100, 10, 10], // both set: the split size wins, as in the seed
    [10, 50, null, 10, 1, 1],
  ] as const)('%i inputs, splitSize %s, TMs %s → %i × %i splits on %i TMs', (n, s, t, splitSize, numSplits, numTaskManagers) => {
    expect(plan(job(n, s, t))).toEqual({ splitSize, numSplits, numTaskManagers });
  });
});

describe('fixedTaskManagers policy: TMs pull more splits', () => {
  it.each([
    [1_000, null, null, 32, 32, 32],
    [1_000, 10, 4, 10, 100, 4],
    [1_000, null, 4, 32, 32, 4],
    [20, 10, 8, 10, 2, 2], // never more TMs than splits
  ] as const)('%i inputs, splitSize %s, TMs %s → %i × %i splits on %i TMs', (n, s, t, splitSize, numSplits, numTaskManagers) => {
    expect(plan(job(n, s, t), jobPolicies.fixedTaskManagers)).toEqual({ splitSize, numSplits, numTaskManagers });
  });
});

describe('capped policy: default with a largest split', () => {
  it.each([
    [1_000, null, 4, 64, 64, 16, 4], // default would cut 4 × 250; capped cuts 16 × 64 for the same 4 TMs
    [1_000, null, null, 16, 16, 63, 32],
    [100, 8, null, 64, 8, 13, 13], // already below the cap: same as default
  ] as const)('%i inputs, splitSize %s, TMs %s, max %i → %i × %i splits on %i TMs', (n, s, t, max, splitSize, numSplits, numTaskManagers) => {
    expect(plan(job(n, s, t), jobPolicies.capped(max))).toEqual({ splitSize, numSplits, numTaskManagers });
  });
  it('refuses a bad maximum', () => {
    expect(() => jobPolicies.capped(0)).toThrow(/jobPolicy.maxSplitSize must be an integer from 1 to 5000 \(got 0\)/);
  });
});

describe('sizeTable policy', () => {
  it.each([
    [10, 1, 10, 1],
    [16, 2, 8, 2],
    [500, 4, 125, 2],
    [5_000, 8, 625, 2],
    [300_000, 32, 9_375, 2],
  ] as const)('seed table: %i inputs → splitSize %i, %i splits, %i TMs', (n, splitSize, numSplits, numTaskManagers) => {
    expect(plan(job(n), jobPolicies.sizeTable())).toEqual({ splitSize, numSplits, numTaskManagers });
  });
  it('lets values the user set win over the table', () => {
    expect(plan(job(500, null, 10), jobPolicies.sizeTable())).toEqual({ splitSize: 4, numSplits: 125, numTaskManagers: 10 });
  });
  it('takes a custom table and checks it', () => {
    const table = [
      { minInputs: 1, splitSize: 5, numTaskManagers: 1 },
      { minInputs: 100, splitSize: 50, numTaskManagers: 10 },
    ];
    expect(plan(job(99), jobPolicies.sizeTable(table))).toEqual({ splitSize: 5, numSplits: 20, numTaskManagers: 1 });
    expect(plan(job(1_000), jobPolicies.sizeTable(table))).toEqual({ splitSize: 50, numSplits: 20, numTaskManagers: 10 });
    expect(() => jobPolicies.sizeTable([table[1]!, table[0]!])).toThrow(/sorted by minInputs/);
    expect(() => jobPolicies.sizeTable([{ minInputs: 1, splitSize: 0, numTaskManagers: 1 }])).toThrow(/jobPolicy.table\[0\].splitSize/);
    expect(SEED_SIZE_TABLE[0]).toEqual({ minInputs: 1, splitSize: 1, numTaskManagers: 1 });
  });
});

describe('defaults → policy → caps', () => {
  it('a policy wanting 50 task managers under a cap of 8 gets 8', () => {
    const p = resolveJobPlan(job(1_600), jobPolicies.default, { maxTaskManagers: 8 });
    expect(p).toMatchObject({ splitSize: 32, numSplits: 50, numTaskManagers: 8, policy: 'default' });
    expect(p.appliedSteps).toEqual([
      'defaults: splitSize 32 (unset by the job)',
      'defaults: numTaskManagers 50 (unset by the job)',
      'policy default: splitSize 32, numTaskManagers 50',
      'caps: numTaskManagers 50 → 8 (maxTaskManagers 8); task managers pull the remaining splits',
    ]);
  });

  it('a job admitted with only 3 task managers free shrinks to 3', () => {
    const p = resolveJobPlan(job(1_600), jobPolicies.default, { maxTaskManagers: 8, taskManagersInUse: 5 });
    expect(p.numTaskManagers).toBe(3);
    expect(p.numSplits).toBe(50);
    expect(p.appliedSteps.at(-1)).toBe('caps: numTaskManagers 50 → 3 (3 free of maxTaskManagers 8, 5 in use); task managers pull the remaining splits');
  });

  it('with nothing free the job waits (retryable)', () => {
    const err = (() => {
      try {
        resolveJobPlan(job(10), jobPolicies.default, { maxTaskManagers: 4, taskManagersInUse: 4 });
      } catch (e) {
        return e as JobPlanError;
      }
      throw new Error('no error');
    })();
    expect(err).toBeInstanceOf(JobPlanError);
    expect(err.code).toBe('NO_TASK_MANAGERS_FREE');
    expect(err.retryable).toBe(true);
  });

  it('defaults come first: the policy sees them and what the user set', () => {
    const seen: unknown[] = [];
    const spy = jobPolicies.custom('spy', (ctx) => {
      seen.push(ctx);
      return { splitSize: ctx.splitSize, numTaskManagers: ctx.numTaskManagers };
    });
    resolveJobPlan(job(100, 10), spy, { maxTaskManagers: 6, taskManagersInUse: 2 }, { splitSize: 7, numTaskManagers: 9 });
    expect(seen).toEqual([
      { numInputs: 100, splitSize: 10, numTaskManagers: 9, userSet: { splitSize: true, numTaskManagers: false }, maxTaskManagers: 4 },
    ]);
  });

  it('takes a compiled job and bounds the split size by the input count', () => {
    const compiled = compileJobOptions({ inputs: ['https://e.org/1.png', 'https://e.org/2.png', 'https://e.org/3.png'], name: 'x', splitSize: 40 });
    const p = resolveJobPlan(compiled, jobPolicies.default, { maxTaskManagers: 8 });
    expect(p).toMatchObject({ splitSize: 3, numSplits: 1, numTaskManagers: 1 });
    expect(p.appliedSteps).toContain('policy: splitSize 40 → 3 (the job has 3 inputs)');
    expect(Object.isFrozen(p.appliedSteps)).toBe(true);
  });
});

describe('user function policies', () => {
  it('uses a valid answer', () => {
    const half = jobPolicy((ctx) => ({ splitSize: 10, numTaskManagers: Math.ceil(ctx.numInputs / 20) }));
    expect(plan(job(200), half)).toEqual({ splitSize: 10, numSplits: 20, numTaskManagers: 10 });
  });
  it.each([
    [() => ({ splitSize: 0, numTaskManagers: 1 }), 'returned splitSize', 'must be ≥ 1 (got 0)'],
    [() => ({ splitSize: 4, numTaskManagers: 1.5 }), 'returned numTaskManagers', 'must be an integer (got 1.5)'],
    [() => ({ splitSize: '4', numTaskManagers: 1 }), 'returned splitSize', 'must be a number (got "4")'],
    [() => undefined, 'returned', 'got nothing'],
    [() => Promise.resolve({ splitSize: 1, numTaskManagers: 1 }), 'jobPolicy', 'returned a Promise'],
    [
      () => {
        throw new Error('boom');
      },
      'jobPolicy',
      'threw: boom',
    ],
  ])('refuses a bad answer (%#) naming %s', (fn, path, text) => {
    const policy = jobPolicies.custom('mine', fn as never);
    try {
      resolveJobPlan(job(10), policy, roomy);
      throw new Error('accepted');
    } catch (err) {
      expect(err).toBeInstanceOf(JobPlanError);
      expect((err as JobPlanError).code).toBe('INVALID_JOB_POLICY');
      expect((err as JobPlanError).message).toContain(path);
      expect((err as JobPlanError).message).toContain(text);
      expect((err as JobPlanError).message).toContain('mine');
    }
  });
});

describe('compileOrchestratorOptions', () => {
  it('fills seed defaults', () => {
    const o = compileOrchestratorOptions();
    expect(o).toMatchObject({ maxJobManagers: 1, maxTaskManagers: 100, jobDefaults: { splitSize: 32, numTaskManagers: 50 }, schedulerTickMs: 500 });
    expect(o.jobPolicy.name).toBe('default');
    expect(o.workerEndpoint).toEqual({ host: '127.0.0.1', port: 0, publicUrl: null, bodyLimitBytes: 32 * 1024 * 1024 });
    expect(o.backends.local.maxTaskManagers).toBeGreaterThanOrEqual(1);
    expect(Object.isFrozen(o.backends.lambda)).toBe(true);
  });
  it('resolves policy specs and derives caps per backend', () => {
    const o = compileOrchestratorOptions({ maxTaskManagers: 8, jobPolicy: { name: 'capped', maxSplitSize: 16 }, backends: { local: { maxTaskManagers: 2 } } });
    expect(o.jobPolicy.name).toBe('capped(16)');
    expect(capsFor(o, 'local', 1)).toEqual({ maxTaskManagers: 2, taskManagersInUse: 1 });
    expect(capsFor(o, 'lambda')).toEqual({ maxTaskManagers: 8, taskManagersInUse: 0 });
    expect(compileOrchestratorOptions({ jobPolicy: 'sizeTable' }).jobPolicy.name).toBe('sizeTable');
  });
  it.each([
    [{ maxTaskManagers: 0 }, 'orchestrator.maxTaskManagers must be an integer from 1 to 10000 (got 0)'],
    [{ maxJobManagers: 'two' }, 'orchestrator.maxJobManagers must be an integer from 1 to 1000 (got "two")'],
    [{ jobPolicy: 'fastest' }, 'orchestrator.jobPolicy must be'],
    [{ jobPolicy: { name: 'capped', maxSplitSize: -1 } }, 'orchestrator.jobPolicy.maxSplitSize must be an integer from 1 to 5000 (got -1)'],
    [{ workerEndpoint: { publicUrl: 'ftp://x' } }, 'orchestrator.workerEndpoint.publicUrl must be an http(s) URL'],
    [{ workerEndpoint: { port: 70_000 } }, 'orchestrator.workerEndpoint.port must be an integer from 0 to 65535 (got 70000)'],
    [{ backends: { lambda: { memoryMb: 64 } } }, 'orchestrator.backends.lambda.memoryMb must be an integer from 128 to 10240 (got 64)'],
    [{ maxTaskManager: 3 }, "orchestrator has unknown key 'maxTaskManager'"],
  ])('refuses %j', (input, text) => {
    expect(() => compileOrchestratorOptions(input)).toThrow(OrchestratorOptionsError);
    expect(() => compileOrchestratorOptions(input)).toThrow(text);
  });
});
