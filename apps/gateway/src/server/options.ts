/**
 * Gateway options: public type → defaults (defaults.ts) → `compileGatewayOptions()`, which also
 * reads the environment for what the caller left undefined and names the bad field or variable.
 *
 * Environment: OFFSAMPLE_API_TOKEN (≥ 16 characters), OFFSAMPLE_GATEWAY_HOST,
 * OFFSAMPLE_GATEWAY_PORT, OFFSAMPLE_INPUTS_FROM_DIRS (directories separated by ':').
 */
import path from 'node:path';
import { z } from 'zod';
import { GATEWAY_DEFAULTS } from '../defaults.js';
import type { FieldIssue } from '../errors.js';

export interface GatewayLogger {
  info(message: string): void;
  error(message: string, error?: unknown): void;
}

export interface GatewayServerOptions {
  host?: string;
  port?: number;
  /** Required on every operation when set. undefined: OFFSAMPLE_API_TOKEN; null: no token. */
  apiToken?: string | null;
  bodyLimitBytes?: number;
  maxQueryDepth?: number;
  progressIntervalMs?: number;
  /** Directories `inputsFrom` files must lie in. undefined: OFFSAMPLE_INPUTS_FROM_DIRS; null: any path. */
  inputsFromDirs?: string[] | null;
  log?: GatewayLogger;
  /** Where OFFSAMPLE_* variables are read from; defaults to process.env. */
  env?: Record<string, string | undefined>;
}

export interface GatewayConfig {
  readonly host: string;
  readonly port: number;
  readonly apiToken: string | null;
  readonly bodyLimitBytes: number;
  readonly maxQueryDepth: number;
  readonly progressIntervalMs: number;
  readonly inputsFromDirs: readonly string[] | null;
  readonly log: GatewayLogger;
}

export class GatewayOptionsError extends Error {
  override readonly name = 'GatewayOptionsError';
  readonly code = 'INVALID_GATEWAY_OPTIONS';
  readonly retryable = false;
  constructor(readonly issues: readonly FieldIssue[]) {
    super(issues.map((i) => `${i.path} ${i.message}`).join('; '));
  }
}

const token = z.string().min(16, 'must be at least 16 characters').max(512).regex(/^\S+$/, 'must not contain spaces');
const port = z.number().int().min(0).max(65_535);

const envSchema = z.object({
  OFFSAMPLE_API_TOKEN: token.optional(),
  OFFSAMPLE_GATEWAY_HOST: z.string().min(1).optional(),
  OFFSAMPLE_GATEWAY_PORT: z.coerce.number().pipe(port).optional(),
  OFFSAMPLE_INPUTS_FROM_DIRS: z.string().optional(),
});

const optionsSchema = z.object({
  host: z.string().min(1),
  port,
  apiToken: token.nullable(),
  bodyLimitBytes: z.number().int().min(1024).max(1024 * 1024 * 1024),
  maxQueryDepth: z.number().int().min(2).max(100),
  progressIntervalMs: z.number().int().min(10).max(60_000),
  inputsFromDirs: z.array(z.string().min(1)).nullable(),
});

const consoleLogger: GatewayLogger = {
  info: (m) => console.log(m),
  error: (m, e) => console.error(m, e),
};

function issuesOf(error: z.ZodError, root: string): FieldIssue[] {
  return error.issues.map((i) => {
    const p = i.path.map(String).join('.');
    return { path: root ? (p ? `${root}.${p}` : root) : p, message: i.message };
  });
}

export function compileGatewayOptions(opts: GatewayServerOptions): GatewayConfig {
  const envParsed = envSchema.safeParse(pickEnv(opts.env ?? process.env));
  if (!envParsed.success) throw new GatewayOptionsError(issuesOf(envParsed.error, ''));
  const env = envParsed.data;
  const dirsFromEnv = env.OFFSAMPLE_INPUTS_FROM_DIRS?.split(path.delimiter).filter(Boolean);
  const candidate = {
    host: opts.host ?? env.OFFSAMPLE_GATEWAY_HOST ?? GATEWAY_DEFAULTS.host,
    port: opts.port ?? env.OFFSAMPLE_GATEWAY_PORT ?? GATEWAY_DEFAULTS.port,
    apiToken: opts.apiToken === undefined ? (env.OFFSAMPLE_API_TOKEN ?? null) : opts.apiToken,
    bodyLimitBytes: opts.bodyLimitBytes ?? GATEWAY_DEFAULTS.bodyLimitBytes,
    maxQueryDepth: opts.maxQueryDepth ?? GATEWAY_DEFAULTS.maxQueryDepth,
    progressIntervalMs: opts.progressIntervalMs ?? GATEWAY_DEFAULTS.progressIntervalMs,
    inputsFromDirs: opts.inputsFromDirs === undefined ? (dirsFromEnv?.length ? dirsFromEnv : null) : opts.inputsFromDirs,
  };
  const parsed = optionsSchema.safeParse(candidate);
  if (!parsed.success) throw new GatewayOptionsError(issuesOf(parsed.error, 'gateway'));
  return Object.freeze({
    ...parsed.data,
    inputsFromDirs: parsed.data.inputsFromDirs && Object.freeze(parsed.data.inputsFromDirs.map((d) => path.resolve(d))),
    log: opts.log ?? consoleLogger,
  });
}

function pickEnv(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const keys = ['OFFSAMPLE_API_TOKEN', 'OFFSAMPLE_GATEWAY_HOST', 'OFFSAMPLE_GATEWAY_PORT', 'OFFSAMPLE_INPUTS_FROM_DIRS'];
  // Empty variables count as unset (a `VAR=` line in a shell profile should not mean "empty token").
  return Object.fromEntries(keys.map((k) => [k, env[k] === '' ? undefined : env[k]]));
}
