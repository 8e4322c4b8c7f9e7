/**
 * The store's SQL: one statement per `.sql` file in `src/store/sql/`, read once per process.
 *
 * The files are read from the package's `src/store/sql/` both when running from `src/` and from
 * `dist/` (both sit two levels below the package root), so the build needs no copy step and the
 * files stay plain SQL for psql and editors. Consequence: a bundler that inlines this package must
 * ship `src/store/sql/` along (nothing bundles orchestrator-core today).
 * Each runs as a named prepared statement, parsed once per connection and, once Postgres judges
 * it worth it, run on a cached generic plan. A generic plan keeps the table sizes of the calls it
 * was made at: on a young database, plans made at 76–1,911 attempts seq-scanned `attempts` twice
 * per complete_many once it held tens of thousands (auto_explain). So the name carries a plan
 * generation (`preparedName`) that moves on as the store hands out 4× more attempts: new names
 * are prepared afresh and planned at today's sizes. Unnamed statements (planned on every call)
 * avoid stale plans too, but planning complete_many costs ~1 ms a batch: measured side by side,
 * generations won at 3,000 cycles/s (Postgres 0.28–0.29 against 0.31–0.32 ms of CPU per cycle).
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
  'lock_attempt_split',
  'cancel_attempt',
  'reoffer_given_back',
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

/**
 * Statements made from a file by leaving out one clause, so the SQL still lives in one place.
 * `complete_many_unguarded` is complete_many without its ON CONFLICT clause: the store runs it first
 * and falls back to complete_many on a unique violation of a result (an input that already has its
 * result or error keeps it, as before). No path in the store writes a result for an input of an
 * open split today (a cancel or a failed split first closes the split under its row lock, and a
 * repeated report's rows join nothing), so the clause is a guard; without it the statement skips
 * the speculative insertion (an index probe and one more WAL record per result): complete_many
 * 11–14 % faster in isolation (control-plane bench README, fourth pass).
 */
const DERIVED = {
  complete_many_unguarded: { from: 'complete_many', without: 'ON CONFLICT (job_id, input_index) DO NOTHING' },
} as const satisfies Record<string, { from: (typeof STATEMENT_NAMES)[number]; without: string }>;

export type StatementName = (typeof STATEMENT_NAMES)[number] | keyof typeof DERIVED;

export interface Statement {
  /** `offsample_<file name>`; prepared as `preparedName(name, generation)`. */
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
  const files = Object.fromEntries(entries) as Record<(typeof STATEMENT_NAMES)[number], Statement>;
  const derived = Object.entries(DERIVED).map(([name, { from, without }]): [string, Statement] => {
    const source = files[from].text;
    if (source.split(without).length !== 2) {
      throw new StoreError(StoreErrorCode.INTERNAL, `${path.join(dir, `${from}.sql`)} must hold "${without}" exactly once (${name} leaves it out)`);
    }
    return [name, Object.freeze({ name: `offsample_${name}`, text: source.replace(without, '') })];
  });
  const result = Object.freeze({ ...files, ...Object.fromEntries(derived) } as Record<StatementName, Statement>);
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

/** Attempts handed out before the first new plan generation; each next one takes 4× as many. */
const FIRST_GENERATION_ATTEMPTS = 1_000;

/** The plan generation after `attemptsHandedOut` claims: 0 below 1,000, then +1 per 4× more. */
export function planGeneration(attemptsHandedOut: number): number {
  if (!(attemptsHandedOut >= FIRST_GENERATION_ATTEMPTS)) return 0;
  return 1 + Math.floor(Math.log(attemptsHandedOut / FIRST_GENERATION_ATTEMPTS) / Math.log(4));
}

/** The prepared statement's name in plan generation `generation` (see the header). */
export function preparedName(name: string, generation: number): string {
  return `${name}_g${generation}`;
}
