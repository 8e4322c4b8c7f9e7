/** A job's settings: what callers pass (`JobOptionsInput`) and what `compileJobOptions` returns (`CompiledJob`). */

export const BackendName = { LOCAL: 'local', LAMBDA: 'lambda' } as const;
export type BackendName = (typeof BackendName)[keyof typeof BackendName];

/** dynamic: task managers pull splits from the worker endpoint; static: each invocation gets its split in the payload. */
export const SplitMode = { DYNAMIC: 'dynamic', STATIC: 'static' } as const;
export type SplitMode = (typeof SplitMode)[keyof typeof SplitMode];

export const OutputStorage = { PRINT: 'print', LOCAL: 'local', S3: 's3' } as const;
export type OutputStorage = (typeof OutputStorage)[keyof typeof OutputStorage];

export interface JobOptionsInput {
  /** HTTP(S) URLs, local paths (local backend), or object keys in `bucket`. */
  inputs: readonly string[];
  name: string;
  /** When set, every input is a key in this bucket. */
  bucket?: string;
  /** Inputs per split; unset → the defaults step (then the policy) decides. */
  splitSize?: number;
  /** Task managers to run; unset → the defaults step (then the policy and the caps) decide. */
  numTaskManagers?: number;
  backend?: BackendName;
  splitMode?: SplitMode;
  speculation?: {
    enabled?: boolean;
    /** Fraction of splits done before speculating, in (0, 1]. */
    quantile?: number;
    /** A running split older than multiplier × median split time gets one more attempt. */
    multiplier?: number;
    /** Extra task managers that may be started for speculative copies (within the caps). */
    extraTaskManagers?: number;
  };
  /** Heartbeats from task managers that renew their leases. */
  keepAlive?: { enabled?: boolean; intervalMs?: number };
  /** How long a claimed split stays with its task manager without a heartbeat. */
  leaseMs?: number;
  /** Retries of a split after a lost lease before it fails (its inputs then get error records). */
  maxSplitRetries?: number;
  output?: {
    storage?: OutputStorage;
    /** local: directory; s3: key prefix. Defaults to `offsample-results/<job name>`. */
    location?: string;
    /** s3 only, required there. */
    bucket?: string;
  };
  /** The task runtime's config input (load / preprocess / predict / queues), checked by the task runtime's compiler. */
  taskManagerConfig?: Record<string, unknown>;
  /** Model directory for the task managers; unset → the task runtime's default model. */
  model?: { dir: string };
}

export interface CompiledJob {
  readonly inputs: readonly string[];
  readonly name: string;
  readonly bucket: string | null;
  /** null: left unset by the user; the plan (defaults → policy → caps) decides. */
  readonly splitSize: number | null;
  readonly numTaskManagers: number | null;
  readonly backend: BackendName;
  readonly splitMode: SplitMode;
  readonly speculation: Readonly<{ enabled: boolean; quantile: number; multiplier: number; extraTaskManagers: number }>;
  readonly keepAlive: Readonly<{ enabled: boolean; intervalMs: number }>;
  readonly leaseMs: number;
  readonly maxSplitRetries: number;
  readonly output: Readonly<{ storage: OutputStorage; location: string | null; bucket: string | null }>;
  readonly taskManagerConfig: Readonly<Record<string, unknown>> | null;
  readonly model: Readonly<{ dir: string }> | null;
}
