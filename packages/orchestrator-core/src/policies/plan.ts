/**
 * `resolveJobPlan(job, policy, caps)`: the seed's three rules, in this order:
 *   1. defaults — splitSize / numTaskManagers the job left unset come from the defaults
 *      (JOB_DEFAULTS, or the orchestrator's `jobDefaults`);
 *   2. policy   — the job policy decides the split size and the TM count (policies.ts); its answer
 *      is validated, then bounded by the job itself: a split holds at most all the inputs (and at
 *      most the protocol's split limit), and there are never more TMs than splits;
 *   3. caps     — at most `maxTaskManagers − taskManagersInUse` TMs: a job admitted while others
 *      run gets what is free, and its TMs pull the remaining splits. With nothing free the job
 *      cannot start now (NO_TASK_MANAGERS_FREE, retryable): the queue admits it later.
 * The split count always follows from the final split size: numSplits = ceil(inputs / splitSize).
 * `appliedSteps` says in words what each step did, for job summaries and the dashboard.
 */
import { z } from 'zod';
import { JOB_DEFAULTS, JOB_LIMITS } from '../job/defaults.js';
import { JobPlanError, OptionsErrorCode } from '../job/errors.js';
import { describeValue, issuesFromZod } from '../job/issues.js';
import type { CompiledJob } from '../job/types.js';
import type { JobPolicy, PolicyContext } from './policies.js';

export interface PlanJob {
  readonly numInputs: number;
  /** null: unset by the user. */
  readonly splitSize: number | null;
  readonly numTaskManagers: number | null;
}

export interface PlanCaps {
  /** Most task managers that may run at once (the orchestrator's, already bounded by the backend's). */
  readonly maxTaskManagers: number;
  /** Task managers held by jobs already running, when admitting under load. */
  readonly taskManagersInUse?: number;
}

export interface PlanDefaults {
  readonly splitSize: number;
  readonly numTaskManagers: number;
}

export interface JobPlan {
  readonly splitSize: number;
  readonly numSplits: number;
  readonly numTaskManagers: number;
  readonly policy: string;
  readonly appliedSteps: readonly string[];
}

const decisionSchema = z.object({
  splitSize: z.number({ error: 'must be a number' }).int({ error: 'must be an integer' }).min(1, { error: 'must be ≥ 1' }),
  numTaskManagers: z.number({ error: 'must be a number' }).int({ error: 'must be an integer' }).min(1, { error: 'must be ≥ 1' }),
});

export function resolveJobPlan(
  job: CompiledJob | PlanJob,
  policy: JobPolicy,
  caps: PlanCaps,
  defaults: PlanDefaults = { splitSize: JOB_DEFAULTS.splitSize, numTaskManagers: JOB_DEFAULTS.numTaskManagers },
): JobPlan {
  const numInputs = 'inputs' in job ? job.inputs.length : job.numInputs;
  if (!Number.isInteger(numInputs) || numInputs < 1) {
    throw new JobPlanError(OptionsErrorCode.INVALID_JOB_POLICY, [{ path: 'job.inputs', message: `must hold at least one input (got ${describeValue(numInputs)})` }]);
  }
  const free = freeTaskManagers(caps);
  const steps: string[] = [];

  // 1. defaults
  const userSet = { splitSize: job.splitSize !== null, numTaskManagers: job.numTaskManagers !== null };
  const splitSize0 = job.splitSize ?? defaults.splitSize;
  const numTaskManagers0 = job.numTaskManagers ?? defaults.numTaskManagers;
  if (!userSet.splitSize) steps.push(`defaults: splitSize ${splitSize0} (unset by the job)`);
  if (!userSet.numTaskManagers) steps.push(`defaults: numTaskManagers ${numTaskManagers0} (unset by the job)`);

  // 2. policy
  const ctx: PolicyContext = Object.freeze({
    numInputs,
    splitSize: splitSize0,
    numTaskManagers: numTaskManagers0,
    userSet: Object.freeze(userSet),
    maxTaskManagers: free,
  });
  const decision = runPolicy(policy, ctx);
  steps.push(
    `policy ${policy.name}: splitSize ${change(splitSize0, decision.splitSize)}, numTaskManagers ${change(numTaskManagers0, decision.numTaskManagers)}`,
  );
  let splitSize = decision.splitSize;
  const largest = Math.min(numInputs, JOB_LIMITS.maxSplitSize);
  if (splitSize > largest) {
    steps.push(
      `policy: splitSize ${splitSize} → ${largest} (${largest === numInputs ? `the job has ${numInputs} inputs` : `a split holds at most ${largest} inputs`})`,
    );
    splitSize = largest;
  }
  const numSplits = Math.ceil(numInputs / splitSize);
  let numTaskManagers = decision.numTaskManagers;
  if (numTaskManagers > numSplits) {
    steps.push(`policy: numTaskManagers ${numTaskManagers} → ${numSplits} (no more task managers than the ${numSplits} splits)`);
    numTaskManagers = numSplits;
  }

  // 3. caps
  if (numTaskManagers > free) {
    const why =
      free === caps.maxTaskManagers ? `maxTaskManagers ${caps.maxTaskManagers}` : `${free} free of maxTaskManagers ${caps.maxTaskManagers}, ${caps.maxTaskManagers - free} in use`;
    steps.push(`caps: numTaskManagers ${numTaskManagers} → ${free} (${why}); task managers pull the remaining splits`);
    numTaskManagers = free;
  } else {
    steps.push(`caps: ${numTaskManagers} task manager${numTaskManagers === 1 ? '' : 's'} within the ${free} free`);
  }

  return Object.freeze({ splitSize, numSplits, numTaskManagers, policy: policy.name, appliedSteps: Object.freeze(steps) });
}

/** TMs a new job may start: the cap minus those in use; throws NO_TASK_MANAGERS_FREE when none. */
export function freeTaskManagers(caps: PlanCaps): number {
  const max = caps.maxTaskManagers;
  const inUse = caps.taskManagersInUse ?? 0;
  if (!Number.isInteger(max) || max < 1) {
    throw new JobPlanError(OptionsErrorCode.INVALID_JOB_POLICY, [{ path: 'caps.maxTaskManagers', message: `must be an integer ≥ 1 (got ${describeValue(max)})` }]);
  }
  if (!Number.isInteger(inUse) || inUse < 0) {
    throw new JobPlanError(OptionsErrorCode.INVALID_JOB_POLICY, [{ path: 'caps.taskManagersInUse', message: `must be an integer ≥ 0 (got ${describeValue(inUse)})` }]);
  }
  const free = max - inUse;
  if (free < 1) {
    throw new JobPlanError(OptionsErrorCode.NO_TASK_MANAGERS_FREE, [
      { path: 'caps', message: `all ${max} task managers are in use (${inUse}); the job waits for some to finish` },
    ]);
  }
  return free;
}

function runPolicy(policy: JobPolicy, ctx: PolicyContext): { splitSize: number; numTaskManagers: number } {
  let answer: unknown;
  try {
    answer = policy.decide(ctx);
  } catch (err) {
    if (err instanceof JobPlanError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new JobPlanError(OptionsErrorCode.INVALID_JOB_POLICY, [{ path: `jobPolicy ${policy.name}`, message: `threw: ${message}` }], { cause: err });
  }
  if (answer instanceof Promise) {
    throw new JobPlanError(OptionsErrorCode.INVALID_JOB_POLICY, [
      { path: `jobPolicy ${policy.name}`, message: 'returned a Promise; a policy must return { splitSize, numTaskManagers } synchronously' },
    ]);
  }
  const parsed = decisionSchema.safeParse(answer, { reportInput: true });
  if (!parsed.success) {
    const issues = issuesFromZod(`jobPolicy ${policy.name} returned`, parsed.error.issues).map((i) => ({
      path: i.path.replace(' returned.', ' returned '),
      message: i.message,
    }));
    throw new JobPlanError(OptionsErrorCode.INVALID_JOB_POLICY, issues);
  }
  return parsed.data;
}

function change(before: number, after: number): string {
  return before === after ? String(after) : `${before} → ${after}`;
}
