/**
 * The control-plane section's settings: defaults.ts, overridden by `BENCH_CP_*` environment
 * variables (validated with zod; a bad value is refused naming the variable and the value).
 * The bench's command line (options.ts) is shared by every section, so profiling knobs that only
 * this section knows live here.
 */
import { z } from 'zod';
import { WORKER_COMMITS, type WorkerCommit } from '@offsample/orchestrator-core';
import { BenchOptionsError } from '../../options.js';
import { CONTROL_PLANE_DEFAULTS, type ClientMode, type ProtocolMode, type SecretsMode } from './defaults.js';

export interface ControlPlaneSettings {
  taskManagers: number;
  itemsPerSplit: number;
  targetClaimsPerSecond: number;
  warmupMs: number;
  measureMs: number;
  poolMax: number;
  secrets: SecretsMode;
  client: ClientMode;
  protocol: ProtocolMode;
  loadProcesses: number;
  /** Which phases run: `saturation`, `paced` (at the target), `sustainable` (paced at a share of
   *  the saturation rate; needs saturation), `ingest` (all by default). */
  phases: Phase[];
  ingestSplits: number;
  ingestItemsPerSplit: number;
  ingestCompleters: number;
  ingestMaxMs: number;
  ingestHttpSplits: number;
  /** Profile the endpoint process during each claim phase's window (bench-output/*.cpuprofile). */
  cpuProfile: boolean;
  /** Store group-commit options (PgSplitStore's batchConcurrency / batchOverlapAt); null: the product defaults. */
  batchConcurrency: number | null;
  batchOverlapAt: number | null;
  /** PgSplitStore's workerCommit (how claims and completes commit); null: the product default. */
  workerCommit: WorkerCommit | null;
  /** VACUUM (ANALYZE) + CHECKPOINT between phases (database.ts, settleDatabase); off: each phase inherits the last one's cleanup. */
  settle: boolean;
}

export const Phase = { SATURATION: 'saturation', PACED: 'paced', SUSTAINABLE: 'sustainable', INGEST: 'ingest' } as const;
export type Phase = (typeof Phase)[keyof typeof Phase];

/** Environment variable → setting, with the variable's own rule. */
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const ENV = {
  BENCH_CP_TMS: ['taskManagers', int(1, 5_000)],
  BENCH_CP_ITEMS_PER_SPLIT: ['itemsPerSplit', int(1, 5_000)],
  BENCH_CP_TARGET: ['targetClaimsPerSecond', int(1, 100_000)],
  BENCH_CP_WARMUP_S: ['warmupMs', z.coerce.number().min(0).max(120).transform((s) => Math.round(s * 1000))],
  BENCH_CP_MEASURE_S: ['measureMs', z.coerce.number().min(1).max(600).transform((s) => Math.round(s * 1000))],
  BENCH_CP_POOL_MAX: ['poolMax', int(1, 500)],
  BENCH_CP_SECRETS: ['secrets', z.enum(['store', 'cached'])],
  BENCH_CP_CLIENT: ['client', z.enum(['raw', 'http', 'worker-client'])],
  BENCH_CP_PROTOCOL: ['protocol', z.enum(['claim-next', 'separate'])],
  BENCH_CP_LOAD_PROCESSES: ['loadProcesses', int(1, 16)],
  BENCH_CP_PHASES: ['phases', z.string().transform((s) => s.split(',').map((p) => p.trim()).filter((p) => p !== '')).pipe(z.array(z.enum(Phase)).min(1))],
  BENCH_CP_INGEST_SPLITS: ['ingestSplits', int(1, 100_000)],
  BENCH_CP_INGEST_ITEMS: ['ingestItemsPerSplit', int(1, 5_000)],
  BENCH_CP_INGEST_COMPLETERS: ['ingestCompleters', int(1, 64)],
  BENCH_CP_INGEST_MAX_S: ['ingestMaxMs', z.coerce.number().min(1).max(600).transform((s) => Math.round(s * 1000))],
  BENCH_CP_INGEST_HTTP_SPLITS: ['ingestHttpSplits', int(0, 100_000)],
  BENCH_CP_CPU_PROFILE: ['cpuProfile', z.enum(['0', '1']).transform((v) => v === '1')],
  BENCH_CP_BATCH_CONCURRENCY: ['batchConcurrency', int(1, 16)],
  BENCH_CP_BATCH_OVERLAP_AT: ['batchOverlapAt', int(1, 10_000)],
  BENCH_CP_SETTLE: ['settle', z.enum(['0', '1']).transform((v) => v === '1')],
  BENCH_CP_WORKER_COMMIT: ['workerCommit', z.enum(WORKER_COMMITS)],
} as const satisfies Record<string, readonly [keyof ControlPlaneSettings, z.ZodType]>;

export const CONTROL_PLANE_ENV_HELP = Object.keys(ENV).join(', ');

export function compileControlPlaneSettings(env: NodeJS.ProcessEnv = process.env): ControlPlaneSettings {
  const d = CONTROL_PLANE_DEFAULTS;
  const settings: ControlPlaneSettings = {
    taskManagers: d.taskManagers,
    itemsPerSplit: d.itemsPerSplit,
    targetClaimsPerSecond: d.targetClaimsPerSecond,
    warmupMs: d.warmupMs,
    measureMs: d.measureMs,
    poolMax: d.poolMax,
    secrets: d.secrets,
    client: d.client,
    protocol: d.protocol,
    loadProcesses: d.loadProcesses,
    phases: [Phase.SATURATION, Phase.PACED, Phase.SUSTAINABLE, Phase.INGEST],
    ingestSplits: d.ingest.splits,
    ingestItemsPerSplit: d.ingest.itemsPerSplit,
    ingestCompleters: d.ingest.completers,
    ingestMaxMs: d.ingest.maxMs,
    ingestHttpSplits: d.ingest.httpSplits,
    cpuProfile: false,
    batchConcurrency: null,
    batchOverlapAt: null,
    workerCommit: null,
    settle: true,
  };
  for (const [name, [field, schema]] of Object.entries(ENV)) {
    const raw = env[name];
    if (raw === undefined || raw.trim() === '') continue;
    const parsed = (schema as z.ZodType).safeParse(raw);
    if (!parsed.success) {
      throw new BenchOptionsError(`${name} = ${JSON.stringify(raw)}: ${parsed.error.issues[0]?.message ?? 'invalid'} (control-plane settings: ${CONTROL_PLANE_ENV_HELP})`);
    }
    (settings as unknown as Record<string, unknown>)[field] = parsed.data;
  }
  if (settings.loadProcesses > settings.taskManagers) {
    throw new BenchOptionsError(`BENCH_CP_LOAD_PROCESSES = ${settings.loadProcesses}: more load processes than task managers (${settings.taskManagers})`);
  }
  return settings;
}
