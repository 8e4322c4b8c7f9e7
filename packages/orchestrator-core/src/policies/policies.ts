/**
 * Job policies: step 2 of "defaults → policy → caps" (see plan.ts for the whole sequence).
 *
 * A policy receives the job's input count and the split size / task-manager count after the
 * defaults step, plus which of the two the user set, and returns the split size and the number of
 * task managers it wants. It does not apply the caps; plan.ts does, afterwards.
 *
 * Shipped policies:
 *   default            One split per task manager (seed `default_job_policy`): keeps the split size
 *                      and asks for ceil(inputs / splitSize) task managers. If the user set only
 *                      numTaskManagers, the split size is derived from it instead
 *                      (ceil(inputs / numTaskManagers)) so their count is honoured.
 *   fixedTaskManagers  The user's (or default) task-manager count and split size as they are; when
 *                      that cuts more splits than task managers, the task managers pull the extra
 *                      splits (seed `job_policy_2`).
 *   capped(max)        `default`, but no split larger than `maxSplitSize`; the task-manager count
 *                      stays what `default` chose, so smaller splits mean each TM pulls several
 *                      (finer retries and speculation on big jobs without more TMs).
 *   sizeTable(rows)    Split size and TM count from the row with the largest `minInputs` ≤ the
 *                      input count; values the user set win over the table (seed `job_policy_3`).
 *   custom(name, fn)   Any `(ctx) => { splitSize, numTaskManagers }`; its answer is validated.
 */
import { z } from 'zod';
import { JOB_LIMITS } from '../job/defaults.js';
import { JobPlanError, OptionsErrorCode } from '../job/errors.js';
import { describeValue, issuesFromZod } from '../job/issues.js';

export interface PolicyContext {
  readonly numInputs: number;
  /** After the defaults step. */
  readonly splitSize: number;
  readonly numTaskManagers: number;
  /** Which values the user chose (as opposed to the defaults step). */
  readonly userSet: Readonly<{ splitSize: boolean; numTaskManagers: boolean }>;
  /** Task managers this job may use at most (the caps step will hold it to that). */
  readonly maxTaskManagers: number;
}

export interface PolicyDecision {
  splitSize: number;
  numTaskManagers: number;
}

export type PolicyFn = (ctx: PolicyContext) => PolicyDecision;

export interface JobPolicy {
  readonly name: string;
  readonly decide: PolicyFn;
}

export interface SizeTableRow {
  /** The row applies to jobs with at least this many inputs (until the next row's threshold). */
  readonly minInputs: number;
  readonly splitSize: number;
  readonly numTaskManagers: number;
}

/** The seed's job_policy_3 table, reduced to the rows where its values change. */
export const SEED_SIZE_TABLE: readonly SizeTableRow[] = Object.freeze(
  [
    { minInputs: 1, splitSize: 1, numTaskManagers: 1 },
    { minInputs: 16, splitSize: 2, numTaskManagers: 2 },
    { minInputs: 64, splitSize: 4, numTaskManagers: 2 },
    { minInputs: 1_024, splitSize: 8, numTaskManagers: 2 },
    { minInputs: 32_768, splitSize: 16, numTaskManagers: 2 },
    { minInputs: 262_144, splitSize: 32, numTaskManagers: 2 },
  ].map((row) => Object.freeze(row)),
);

/** What callers may name as a policy (in OrchestratorOptions or per job). */
export type JobPolicySpec =
  | 'default'
  | 'fixedTaskManagers'
  | 'sizeTable'
  | { name: 'default' }
  | { name: 'fixedTaskManagers' }
  | { name: 'capped'; maxSplitSize: number }
  | { name: 'sizeTable'; table?: readonly SizeTableRow[] }
  | PolicyFn
  | JobPolicy;

const ceilDiv = (a: number, b: number) => Math.ceil(a / b);

function decideDefault(ctx: PolicyContext): PolicyDecision {
  if (ctx.userSet.numTaskManagers && !ctx.userSet.splitSize) {
    const splitSize = ceilDiv(ctx.numInputs, ctx.numTaskManagers);
    return { splitSize, numTaskManagers: ceilDiv(ctx.numInputs, splitSize) };
  }
  return { splitSize: ctx.splitSize, numTaskManagers: ceilDiv(ctx.numInputs, ctx.splitSize) };
}

function checkMaxSplitSize(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > JOB_LIMITS.maxSplitSize) {
    throw new JobPlanError(OptionsErrorCode.INVALID_JOB_POLICY, [
      { path: 'jobPolicy.maxSplitSize', message: `must be an integer from 1 to ${JOB_LIMITS.maxSplitSize} (got ${describeValue(value)})` },
    ]);
  }
  return value;
}

export const jobPolicies = Object.freeze({
  default: Object.freeze<JobPolicy>({ name: 'default', decide: decideDefault }),
  fixedTaskManagers: Object.freeze<JobPolicy>({
    name: 'fixedTaskManagers',
    decide: (ctx) => ({ splitSize: ctx.splitSize, numTaskManagers: ctx.numTaskManagers }),
  }),
  capped(maxSplitSize: number): JobPolicy {
    const max = checkMaxSplitSize(maxSplitSize);
    return Object.freeze({
      name: `capped(${max})`,
      decide: (ctx: PolicyContext) => {
        const base = decideDefault(ctx);
        return { splitSize: Math.min(base.splitSize, max), numTaskManagers: base.numTaskManagers };
      },
    });
  },
  sizeTable(table: readonly SizeTableRow[] = SEED_SIZE_TABLE): JobPolicy {
    const rows = checkTable(table);
    return Object.freeze({
      name: 'sizeTable',
      decide: (ctx: PolicyContext) => {
        let row = rows[0]!;
        for (const r of rows) if (r.minInputs <= ctx.numInputs) row = r;
        return {
          splitSize: ctx.userSet.splitSize ? ctx.splitSize : row.splitSize,
          numTaskManagers: ctx.userSet.numTaskManagers ? ctx.numTaskManagers : row.numTaskManagers,
        };
      },
    });
  },
  custom(name: string, decide: PolicyFn): JobPolicy {
    if (typeof decide !== 'function') {
      throw new JobPlanError(OptionsErrorCode.INVALID_JOB_POLICY, [{ path: 'jobPolicy', message: `must be a function (got ${describeValue(decide)})` }]);
    }
    return Object.freeze({ name, decide });
  },
});

const tableSchema = z
  .array(
    z.strictObject({
      minInputs: z.number().int().min(1),
      splitSize: z.number().int().min(1).max(JOB_LIMITS.maxSplitSize),
      numTaskManagers: z.number().int().min(1).max(JOB_LIMITS.maxTaskManagers),
    }),
  )
  .min(1)
  .refine((rows) => rows.every((r, i) => i === 0 || r.minInputs > rows[i - 1]!.minInputs), {
    error: 'rows must be sorted by minInputs, each threshold larger than the one before',
  });

function checkTable(table: readonly SizeTableRow[]): readonly SizeTableRow[] {
  const parsed = tableSchema.safeParse(table, { reportInput: true });
  if (!parsed.success) throw new JobPlanError(OptionsErrorCode.INVALID_JOB_POLICY, issuesFromZod('jobPolicy.table', parsed.error.issues));
  return Object.freeze(parsed.data.map((r) => Object.freeze(r)));
}

/** Turn a spec (name, object, function or ready policy) into a JobPolicy; throws INVALID_JOB_POLICY. */
export function jobPolicy(spec: JobPolicySpec): JobPolicy {
  if (typeof spec === 'function') return jobPolicies.custom(spec.name || 'custom', spec);
  if (typeof spec === 'string') spec = { name: spec } as JobPolicySpec;
  if (typeof spec === 'object' && spec !== null) {
    if ('decide' in spec && typeof spec.decide === 'function') return jobPolicies.custom(String(spec.name), spec.decide);
    switch ((spec as { name?: unknown }).name) {
      case 'default':
        return jobPolicies.default;
      case 'fixedTaskManagers':
        return jobPolicies.fixedTaskManagers;
      case 'capped':
        return jobPolicies.capped((spec as { maxSplitSize: number }).maxSplitSize);
      case 'sizeTable':
        return jobPolicies.sizeTable((spec as { table?: readonly SizeTableRow[] }).table);
    }
  }
  throw new JobPlanError(OptionsErrorCode.INVALID_JOB_POLICY, [
    {
      path: 'jobPolicy',
      message: `must be 'default', 'fixedTaskManagers', 'sizeTable', { name: 'capped', maxSplitSize }, a function or a JobPolicy (got ${describeValue(spec)})`,
    },
  ]);
}
