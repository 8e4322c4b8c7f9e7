/** Errors of the split store. Stable codes; `retryable` says whether the same call may succeed later. */

import { OrchestratorError } from '../errors.js';

export const StoreErrorCode = {
  /** A complete() report does not match its split: missing, duplicate or foreign indices, wrong inputs, both/neither label and error. */
  INVALID_OUTCOMES: 'INVALID_OUTCOMES',
  /** createJob() was given an impossible spec (split size < 1, ...). */
  INVALID_JOB_SPEC: 'INVALID_JOB_SPEC',
  /** A store option or an argument like a lease length is out of range. */
  INVALID_OPTIONS: 'INVALID_OPTIONS',
  JOB_NOT_FOUND: 'JOB_NOT_FOUND',
  TASK_MANAGER_NOT_FOUND: 'TASK_MANAGER_NOT_FOUND',
  /** The database failed or could not be reached; transient failures are retryable. */
  DATABASE_ERROR: 'DATABASE_ERROR',
  /** A bug or a broken installation (e.g. an SQL file missing). */
  INTERNAL: 'INTERNAL',
} as const;
export type StoreErrorCode = (typeof StoreErrorCode)[keyof typeof StoreErrorCode];

export class StoreError extends OrchestratorError<StoreErrorCode> {
  override readonly name: string = 'StoreError';
}

/** SQLSTATE classes worth retrying: connection (08), serialization/deadlock (40), shutdown (57P0x), too many connections (53300). */
const TRANSIENT = /^(08|40|57P0|53300)/;

/** Any failure from pg / Prisma as a StoreError (a StoreError passes through). */
export function toStoreError(error: unknown, doing: string): StoreError {
  if (error instanceof StoreError) return error;
  const sqlState = typeof error === 'object' && error !== null ? String((error as { code?: unknown }).code ?? '') : '';
  const network = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|Connection terminated|timeout exceeded/i.test(
    error instanceof Error ? `${error.message} ${sqlState}` : String(error),
  );
  return new StoreError(
    StoreErrorCode.DATABASE_ERROR,
    `${doing} failed: ${error instanceof Error ? error.message : String(error)}${sqlState ? ` (${sqlState})` : ''}`,
    { retryable: TRANSIENT.test(sqlState) || network, cause: error },
  );
}
