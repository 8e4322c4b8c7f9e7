/**
 * The store's SQL: one statement per `.sql` file in `src/store/sql/`, read once per process.
 *
 * The files are read from the package's `src/store/sql/` both when running from `src/` and from
 * `dist/` (both sit two levels below the package root), so the build needs no copy step and the
 * files stay plain SQL for psql and editors. Consequence: a bundler that inlines this package must
 * ship `src/store/sql/` along (nothing bundles orchestrator-core today).
 * Each runs as an unnamed statement, so Postgres plans it for its parameters and the tables' current
 * sizes on every call. Named (prepared) statements were parsed once per connection, but their
 * cached generic plans kept the table sizes of their first calls: on a young database every
 * complete_many seq-scanned `attempts` twice (auto_explain: plans made at 76–1,911 attempts, run
 * at tens of thousands), which cost more than the planning saved (claim_many was re-planned on
 * every call anyway: Postgres judged its generic plan worse). `name` labels it for tests and logs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { StoreError, StoreErrorCode } from './errors.js';

export const SQL_DIR = fileURLToPath(new URL('../../src/store/sql/', import.meta.url));

export const STATEMENT_NAMES = [
  'create_job',
  'insert_splits',
  'mark_job_running',
  'claim',
  'claim_many',
  'heartbeat',
  'complete_lookup_many',
  'complete_many',
  'lock_lapsed_splits',
  'expire_attempts',
  'lock_task_manager_splits',
  'fail_task_manager_attempts',
  'release_splits',
  'fail_split_inputs',
  'speculate',
  'terminate_splits',
  'terminate_attempts',
  'terminate_job',
  'finish_job',
  'job_progress',
  'attempt_owner',
  'job_with_settings',
] as const;
export type StatementName = (typeof STATEMENT_NAMES)[number];

export interface Statement {
  /** `offsample_<file name>`: a label, not a prepared statement. */
  readonly name: string;
  readonly text: string;
}

let loaded: Readonly<Record<StatementName, Statement>> | null = null;

/** Every statement, read and checked on first use; throws naming the file that is missing or holds more than one statement. */
export function statements(dir: string = SQL_DIR): Readonly<Record<StatementName, Statement>> {
  if (loaded !== null && dir === SQL_DIR) return loaded;
  const entries = STATEMENT_NAMES.map((name): [StatementName, Statement] => {
    const file = path.join(dir, `${name}.sql`);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new StoreError(StoreErrorCode.INTERNAL, `cannot read SQL statement ${file}`, { cause: error });
    }
    if (statementCount(text) !== 1) {
      throw new StoreError(StoreErrorCode.INTERNAL, `${file} must hold exactly one SQL statement`);
    }
    return [name, Object.freeze({ name: `offsample_${name}`, text: text.trim().replace(/;$/, '') })];
  });
  const result = Object.freeze(Object.fromEntries(entries) as Record<StatementName, Statement>);
  if (dir === SQL_DIR) loaded = result;
  return result;
}

/** Statements in `text`, ignoring comments and quoted text (enough for our files: no dollar quoting). */
export function statementCount(text: string): number {
  const code = text
    .replace(/--[^\n]*/g, '')
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/"(?:[^"]|"")*"/g, '""');
  return code
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part.length > 0).length;
}
