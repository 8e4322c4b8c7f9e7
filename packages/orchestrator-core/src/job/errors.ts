/**
 * Errors of options and plans. Each has a stable `code` callers switch on and `retryable`;
 * the gateway turns them into GraphQL errors (the `issues` list becomes the error's extensions).
 */

import { OrchestratorError } from '../errors.js';

export const OptionsErrorCode = {
  INVALID_JOB_OPTIONS: 'INVALID_JOB_OPTIONS',
  INVALID_ORCHESTRATOR_OPTIONS: 'INVALID_ORCHESTRATOR_OPTIONS',
  /** A job policy is misconfigured, threw, or returned something that is not a plan. */
  INVALID_JOB_POLICY: 'INVALID_JOB_POLICY',
  /** Every task manager allowed is in use: admit the job later. */
  NO_TASK_MANAGERS_FREE: 'NO_TASK_MANAGERS_FREE',
} as const;
export type OptionsErrorCode = (typeof OptionsErrorCode)[keyof typeof OptionsErrorCode];

/** One problem with one field: `path` like `job.output.bucket`, `message` naming rule and value. */
export interface OptionsIssue {
  readonly path: string;
  readonly message: string;
}

export class OptionsError extends OrchestratorError<OptionsErrorCode> {
  override readonly name: string = 'OptionsError';
  readonly issues: readonly OptionsIssue[];
  constructor(code: OptionsErrorCode, issues: readonly OptionsIssue[], options: { retryable?: boolean; cause?: unknown } = {}) {
    super(code, issues.map((i) => `${i.path} ${i.message}`).join('; ') || code, options);
    this.issues = Object.freeze(issues.map((i) => Object.freeze({ ...i })));
  }
}

/** The job's settings were refused; nothing about them will change on a retry. */
export class JobOptionsError extends OptionsError {
  override readonly name = 'JobOptionsError';
  constructor(issues: readonly OptionsIssue[]) {
    super(OptionsErrorCode.INVALID_JOB_OPTIONS, issues);
  }
}

export class OrchestratorOptionsError extends OptionsError {
  override readonly name = 'OrchestratorOptionsError';
  constructor(issues: readonly OptionsIssue[]) {
    super(OptionsErrorCode.INVALID_ORCHESTRATOR_OPTIONS, issues);
  }
}

export class JobPlanError extends OptionsError {
  override readonly name = 'JobPlanError';
  constructor(
    code: typeof OptionsErrorCode.INVALID_JOB_POLICY | typeof OptionsErrorCode.NO_TASK_MANAGERS_FREE,
    issues: readonly OptionsIssue[],
    options: { cause?: unknown } = {},
  ) {
    super(code, issues, { retryable: code === OptionsErrorCode.NO_TASK_MANAGERS_FREE, ...options });
  }
}
