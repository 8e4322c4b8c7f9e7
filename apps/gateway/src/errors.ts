/**
 * GraphQL errors with stable `extensions.code`. Orchestrator and validation errors become GraphQL
 * errors here and only here (DESIGN.md, style 4); anything unexpected is logged and answered as
 * INTERNAL_SERVER_ERROR without its message or stack.
 */
// 'graphql/index.js', not 'graphql': vitest would resolve the bare name to graphql's .mjs build while
// type-graphql and Apollo load the CommonJS one, and graphql refuses objects from another copy.
import { GraphQLError, type GraphQLFormattedError } from 'graphql/index.js';
import type { ValidationError } from 'class-validator';

export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  BAD_REQUEST: 'BAD_REQUEST',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  OPERATION_RESOLUTION_FAILURE: 'OPERATION_RESOLUTION_FAILURE',
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  PERSISTED_QUERY_NOT_SUPPORTED: 'PERSISTED_QUERY_NOT_SUPPORTED',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const PASSED_THROUGH: ReadonlySet<string> = new Set(Object.values(ErrorCode));

/** One bad field: `path` is dotted from the argument (`input.speculation.quantile`). */
export interface FieldIssue {
  path: string;
  message: string;
}

export function badUserInput(issues: FieldIssue[]): GraphQLError {
  const message = issues.map((i) => `${i.path}: ${i.message}`).join('; ') || 'Invalid input';
  return new GraphQLError(message, { extensions: { code: ErrorCode.BAD_USER_INPUT, fields: issues } });
}

export function notFound(kind: string, id: string): GraphQLError {
  return new GraphQLError(`${kind} ${JSON.stringify(id)} not found`, { extensions: { code: ErrorCode.NOT_FOUND } });
}

export function unauthenticated(): GraphQLError {
  return new GraphQLError('A valid API token is required (Authorization: Bearer <token>)', {
    extensions: { code: ErrorCode.UNAUTHENTICATED, http: { status: 401 } },
  });
}

/** class-validator's tree → dotted paths; `root` is the argument name (`input`) or '' for @Args. */
export function flattenValidationErrors(errors: readonly ValidationError[], root: string): FieldIssue[] {
  const out: FieldIssue[] = [];
  const walk = (list: readonly ValidationError[], prefix: string): void => {
    for (const e of list) {
      const path = prefix ? `${prefix}.${e.property}` : e.property;
      for (const message of Object.values(e.constraints ?? {})) out.push({ path, message });
      if (e.children?.length) walk(e.children, path);
    }
  };
  walk(errors, root);
  return out;
}

/**
 * orchestrator-core's JobOptionsError (bad settings) and JobPlanError (a plan the policy or the caps
 * refuse): `issues: {path, message}[]`. Recognised by name so a second copy of the class still maps.
 */
const USER_INPUT_ERRORS: ReadonlySet<unknown> = new Set(['JobOptionsError', 'JobPlanError']);

function jobOptionsIssuesOf(error: unknown): FieldIssue[] | null {
  if (typeof error !== 'object' || error === null) return null;
  const { name, issues } = error as { name?: unknown; issues?: unknown };
  if (!USER_INPUT_ERRORS.has(name) || !Array.isArray(issues)) return null;
  return issues.map((raw: unknown) => {
    const i = (raw ?? {}) as { path?: unknown; message?: unknown };
    const path = Array.isArray(i.path) ? i.path.join('.') : String(i.path ?? '');
    // The orchestrator roots its paths at `job` (job.splitSize); here the argument is `input`.
    return { path: path.replace(/^job(?=$|[.[])/, 'input'), message: String(i.message ?? 'invalid') };
  });
}

/** Turns what a resolver threw into the GraphQL error a client sees (used by HTTP and WebSocket). */
export function toClientError(error: unknown): GraphQLError | null {
  const original = error instanceof GraphQLError && error.originalError ? error.originalError : error;
  const jobIssues = jobOptionsIssuesOf(original);
  if (jobIssues) return badUserInput(jobIssues);
  return null;
}

export type ErrorLogger = (error: unknown) => void;

/**
 * Apollo-style formatError: known codes pass through with their message (and `fields` for
 * BAD_USER_INPUT); everything else becomes a bare INTERNAL_SERVER_ERROR. Never a stack trace.
 */
export function formatGatewayError(
  formatted: GraphQLFormattedError,
  error: unknown,
  log: ErrorLogger,
): GraphQLFormattedError {
  const mapped = toClientError(error);
  const base = { ...(formatted.locations ? { locations: formatted.locations } : {}), ...(formatted.path ? { path: formatted.path } : {}) };
  if (mapped) {
    return { message: mapped.message, ...base, extensions: { code: ErrorCode.BAD_USER_INPUT, fields: mapped.extensions['fields'] } };
  }
  const code = formatted.extensions?.['code'];
  if (typeof code === 'string' && PASSED_THROUGH.has(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
    const fields = formatted.extensions?.['fields'];
    return { message: formatted.message, ...base, extensions: fields === undefined ? { code } : { code, fields } };
  }
  log(error);
  return { message: 'Internal server error', ...base, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
}
