/** The database layer's environment, validated with zod at the process boundary. */
import { z } from 'zod';
import { DatabaseError, DatabaseErrorCode, redactUrl } from './errors.js';
import { WORKER_COMMITS, type WorkerCommit } from '../store/defaults.js';

const blankToUndefined = (value: unknown): unknown => (typeof value === 'string' && value.trim() === '' ? undefined : value);

const DatabaseEnvSchema = z.object({
  DATABASE_URL: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^postgres(ql)?:\/\/[^\s]+$/, 'must be a postgres:// or postgresql:// URL')
      .refine((value) => URL.canParse(value), 'is not a parseable URL')
      .optional(),
  ),
  /** Where the embedded server keeps its data when DATABASE_URL is unset. */
  OFFSAMPLE_PG_DATA_DIR: z.preprocess(blankToUndefined, z.string().optional()),
  /** How claims, completes and heartbeats commit (split-store.ts, "Commits"). */
  OFFSAMPLE_WORKER_COMMIT: z.preprocess(blankToUndefined, z.enum(WORKER_COMMITS, { error: `must be one of ${WORKER_COMMITS.join(', ')}` }).optional()),
});

export interface DatabaseEnv {
  databaseUrl: string | undefined;
  pgDataDir: string | undefined;
  workerCommit: WorkerCommit | undefined;
}

export function readDatabaseEnv(env: NodeJS.ProcessEnv = process.env): DatabaseEnv {
  const parsed = DatabaseEnvSchema.safeParse({
    DATABASE_URL: env.DATABASE_URL,
    OFFSAMPLE_PG_DATA_DIR: env.OFFSAMPLE_PG_DATA_DIR,
    OFFSAMPLE_WORKER_COMMIT: env.OFFSAMPLE_WORKER_COMMIT,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = String(issue?.path[0] ?? 'environment');
    const raw = env[field];
    const shown = field === 'DATABASE_URL' && raw !== undefined ? redactUrl(raw) : JSON.stringify(raw);
    throw new DatabaseError(DatabaseErrorCode.INVALID_ENV, `${field} ${issue?.message ?? 'is invalid'} (got ${shown})`);
  }
  return { databaseUrl: parsed.data.DATABASE_URL, pgDataDir: parsed.data.OFFSAMPLE_PG_DATA_DIR, workerCommit: parsed.data.OFFSAMPLE_WORKER_COMMIT };
}
