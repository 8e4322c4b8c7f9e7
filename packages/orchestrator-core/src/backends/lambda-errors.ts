/**
 * Errors of the Lambda backend and of the deploy step (bundle, deploy, EC2 discovery). Stable codes;
 * `retryable` says whether the same call may succeed later unchanged.
 */

import { OrchestratorError } from '../errors.js';

export const LambdaErrorCode = {
  /** An option is missing or out of range (names the field and value). */
  INVALID_OPTIONS: 'INVALID_OPTIONS',
  /** The runtime bundle could not be built (esbuild failed, a native package is missing). */
  BUNDLE_FAILED: 'BUNDLE_FAILED',
  /** Lambda refused or failed a create / update / publish, or the function never became ready. */
  DEPLOY_FAILED: 'DEPLOY_FAILED',
  /** The instance metadata service did not answer: this process is not on EC2 (or IMDS is off). */
  NOT_ON_EC2: 'NOT_ON_EC2',
  /** IMDS answered, but not with what a VPC deployment needs. */
  EC2_METADATA_INVALID: 'EC2_METADATA_INVALID',
} as const;
export type LambdaErrorCode = (typeof LambdaErrorCode)[keyof typeof LambdaErrorCode];

export class LambdaError extends OrchestratorError<LambdaErrorCode> {
  override readonly name: string = 'LambdaError';
}

/** Message of anything thrown, with the AWS error name when there is one. */
export function describeAwsError(error: unknown): string {
  if (error instanceof Error) return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
  return String(error);
}
