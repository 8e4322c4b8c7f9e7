/** Errors of the database layer (bootstrap, embedded Postgres, migrations). */

import { OrchestratorError } from '../errors.js';

export const DatabaseErrorCode = {
  /** An environment variable (DATABASE_URL, OFFSAMPLE_PG_DATA_DIR) is malformed. */
  INVALID_ENV: 'INVALID_ENV',
  /** The embedded Postgres could not be initialised or started. */
  EMBEDDED_START_FAILED: 'EMBEDDED_START_FAILED',
  /** The server could not be reached. */
  UNREACHABLE: 'UNREACHABLE',
  /** A migration failed, or a migration already applied was edited afterwards. */
  MIGRATION_FAILED: 'MIGRATION_FAILED',
} as const;
export type DatabaseErrorCode = (typeof DatabaseErrorCode)[keyof typeof DatabaseErrorCode];

export class DatabaseError extends OrchestratorError<DatabaseErrorCode> {
  override readonly name: string = 'DatabaseError';
}

/** A connection URL safe to print: the password is replaced by `***`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable url>';
  }
}
