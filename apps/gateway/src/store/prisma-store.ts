/**
 * GatewayStore over the orchestrator's Prisma client. Reads use `$queryRaw` with nullable
 * parameters (`$2::text IS NULL OR …`) rather than the model API: the listings need computed
 * columns (a split's size is `cardinality(inputs)`, never the inputs themselves; time buckets),
 * and one tagged-template method keeps the gateway independent of the generated client's types.
 */
import { isUuid } from '../ids.js';
import type { GatewayStore, PageOf, ResultQuery } from '../ports.js';
import type { JobStatus, SplitStatus } from '../schema/enums.js';
import type { Attempt, Job, Result, Split, TaskManager, ThroughputPoint } from '../schema/objects.js';
import type { ErrorCount } from '../schema/progress.js';

/** The one Prisma client method used here (PrismaClient satisfies it). */
export interface SqlClient {
  $queryRaw<T = unknown>(query: TemplateStringsArray, ...values: unknown[]): PromiseLike<T>;
}

/** Throughput points returned at most (the most recent ones): a chart needs no more. */
const MAX_THROUGHPUT_POINTS = 5_000;


interface JobRow {
  id: string;
  name: string;
  status: JobStatus;
  backend: string;
  split_mode: string;
  split_size: number;
  num_task_managers: number;
  total_inputs: number;
  done_count: number;
  error_count: number;
  settings: unknown;
  created_at: Date;
  started_at: Date | null;
  ended_at: Date | null;
}

function toJob(r: JobRow): Job {
  return {
    id: r.id,
    name: r.name,
    status: r.status,
    backend: r.backend as Job['backend'],
    splitMode: r.split_mode.toLowerCase() as Job['splitMode'],
    splitSize: r.split_size,
    numTaskManagers: r.num_task_managers,
    totalInputs: r.total_inputs,
    done: r.done_count,
    failed: r.error_count,
    settings: r.settings,
    createdAt: r.created_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
  };
}

export function createPrismaStore(db: SqlClient): GatewayStore {
  return {
    async getJob(id) {
      if (!isUuid(id)) return null;
      const rows = await db.$queryRaw<JobRow[]>`
        SELECT id::text, name, status::text, backend, split_mode::text, split_size, num_task_managers,
               total_inputs, done_count, error_count, settings, created_at, started_at, ended_at
        FROM jobs WHERE id = ${id}::uuid`;
      return rows[0] ? toJob(rows[0]) : null;
    },

    async listJobs({ statuses, first, after }) {
      const status = statuses?.length ? statuses : null;
      const afterAt = after?.createdAt ?? null;
      const afterId = after?.id ?? null;
      const [rows, counted] = await Promise.all([
        db.$queryRaw<JobRow[]>`
          SELECT id::text, name, status::text, backend, split_mode::text, split_size, num_task_managers,
                 total_inputs, done_count, error_count, settings, created_at, started_at, ended_at
          FROM jobs
          WHERE (${status}::text[] IS NULL OR status::text = ANY(${status}::text[]))
            AND (${afterAt}::timestamptz IS NULL
                 OR (created_at, id) < (${afterAt}::timestamptz, ${afterId}::uuid))
          ORDER BY created_at DESC, id DESC
          LIMIT ${first + 1}`,
        db.$queryRaw<{ n: number }[]>`
          SELECT count(*)::int AS n FROM jobs
          WHERE (${status}::text[] IS NULL OR status::text = ANY(${status}::text[]))`,
      ]);
      return page(rows.map(toJob), first, counted[0]?.n ?? 0);
    },

    async listResults(q: ResultQuery) {
      if (!isUuid(q.jobId)) return { nodes: [], hasNextPage: false, totalCount: 0 };
      const label = q.label ?? null;
      const code = q.errorCode ?? null;
      const hasError = q.hasError ?? null;
      type Row = {
        input_index: number;
        input: string;
        label: string | null;
        probabilities: number[] | null;
        error_code: string | null;
        error_message: string | null;
        created_at: Date;
      };
      const [rows, counted] = await Promise.all([
        db.$queryRaw<Row[]>`
          SELECT input_index, input, label, probabilities, error_code, error_message, created_at
          FROM results
          WHERE job_id = ${q.jobId}::uuid
            AND (${label}::text IS NULL OR label = ${label}::text)
            AND (${code}::text IS NULL OR error_code = ${code}::text)
            AND (${hasError}::boolean IS NULL OR (error_code IS NOT NULL) = ${hasError}::boolean)
            AND input_index > ${q.afterIndex ?? -1}::int
          ORDER BY input_index
          LIMIT ${q.first + 1}`,
        db.$queryRaw<{ n: number }[]>`
          SELECT count(*)::int AS n FROM results
          WHERE job_id = ${q.jobId}::uuid
            AND (${label}::text IS NULL OR label = ${label}::text)
            AND (${code}::text IS NULL OR error_code = ${code}::text)
            AND (${hasError}::boolean IS NULL OR (error_code IS NOT NULL) = ${hasError}::boolean)`,
      ]);
      const nodes: Result[] = rows.map((r) => ({
        inputIndex: r.input_index,
        input: r.input,
        label: r.label,
        // A labelled result always has probabilities; an error record has none (stored as {}).
        probabilities: r.error_code === null && r.probabilities ? r.probabilities : null,
        errorCode: r.error_code,
        errorMessage: r.error_message,
        createdAt: r.created_at,
      }));
      return page(nodes, q.first, counted[0]?.n ?? 0);
    },

    async listSplits(jobId, status?: SplitStatus) {
      if (!isUuid(jobId)) return [];
      const s = status ?? null;
      return db.$queryRaw<Split[]>`
        SELECT id::text AS "id", job_id::text AS "jobId", ordinal, status::text AS "status",
               first_index AS "firstIndex", cardinality(inputs) AS "size", retries
        FROM splits
        WHERE job_id = ${jobId}::uuid AND (${s}::text IS NULL OR status::text = ${s}::text)
        ORDER BY ordinal`;
    },

    async listAttempts(splitId) {
      if (!isUuid(splitId)) return [];
      return db.$queryRaw<Attempt[]>`
        SELECT id::text AS "id", split_id::text AS "splitId", task_manager_id AS "taskManagerId",
               status::text AS "status", speculative, started_at AS "startedAt", ended_at AS "endedAt",
               lease_expires_at AS "leaseExpiresAt"
        FROM attempts WHERE split_id = ${splitId}::uuid
        ORDER BY started_at, id`;
    },

    async listTaskManagers(jobId) {
      if (!isUuid(jobId)) return [];
      return db.$queryRaw<TaskManager[]>`
        SELECT id, status::text AS "status", COALESCE(cold_start, false) AS "coldStart", items,
               busy_ms AS "busyMs", idle_ms AS "idleMs", started_at AS "startedAt", ended_at AS "endedAt"
        FROM task_managers WHERE job_id = ${jobId}::uuid
        ORDER BY started_at, id`;
    },

    async errorsByCode(jobId) {
      if (!isUuid(jobId)) return [];
      return db.$queryRaw<ErrorCount[]>`
        SELECT error_code AS "code", count(*)::int AS "count"
        FROM results WHERE job_id = ${jobId}::uuid AND error_code IS NOT NULL
        GROUP BY error_code ORDER BY count(*) DESC, error_code`;
    },

    async throughput(jobId, bucketSeconds) {
      if (!isUuid(jobId)) return [];
      const rows = await db.$queryRaw<ThroughputPoint[]>`
        SELECT t, items FROM (
          SELECT to_timestamp(floor(extract(epoch FROM created_at) / ${bucketSeconds}::int) * ${bucketSeconds}::int) AS t,
                 count(*)::int AS items
          FROM results WHERE job_id = ${jobId}::uuid
          GROUP BY 1 ORDER BY 1 DESC LIMIT ${MAX_THROUGHPUT_POINTS}::int
        ) recent ORDER BY t`;
      return rows;
    },
  };
}

/** Rows were fetched with LIMIT first + 1: the extra row only says there is a next page. */
function page<T>(rows: T[], first: number, totalCount: number): PageOf<T> {
  return { nodes: rows.slice(0, first), hasNextPage: rows.length > first, totalCount };
}
