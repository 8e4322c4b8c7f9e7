/**
 * Worker protocol v1: HTTP/JSON between a task manager and the orchestrator's worker endpoint.
 *
 *   POST /v1/claim      ClaimRequest     → ClaimResponse     split | wait | done
 *   POST /v1/heartbeat  HeartbeatRequest → HeartbeatResponse continue | abandon
 *   POST /v1/complete   CompleteRequest  → CompleteResponse  accepted | duplicate | discarded
 *                       (+ `next`: a claim answer, when the request asked `claimNext`)
 *   POST /v1/report     ReportRequest    → ReportResponse    ok
 *   GET  /v1/health     (no auth)        → { ok: true }
 * Every call but health carries `Authorization: Bearer <token>` (see the endpoint's token.ts).
 * Errors come back as `ErrorBody` with a 4xx/5xx status.
 *
 * Each schema is a zod codec: `decode` turns wire JSON (dates as ISO strings) into values with
 * `Date`s, `encode` goes the other way, so the server and the client share one definition and both
 * validate what they send as well as what they receive. The decoded unions have the same shape as
 * `ClaimResult` / `HeartbeatResult` / `CompleteResult` in orchestrator-core's ports.ts.
 */
import { z } from 'zod';
import type { ItemOutcome, WorkItem } from './types.js';

export const PROTOCOL_VERSION = 1;

export const WorkerRoute = {
  CLAIM: '/v1/claim',
  HEARTBEAT: '/v1/heartbeat',
  COMPLETE: '/v1/complete',
  REPORT: '/v1/report',
  HEALTH: '/v1/health',
} as const;
export type WorkerRoute = (typeof WorkerRoute)[keyof typeof WorkerRoute];

/** Bounds on what one message may carry; job options refuse jobs that could not fit them. */
export const PROTOCOL_LIMITS = Object.freeze({
  /** Ids are opaque tokens without dots (a worker token joins them with dots). */
  maxIdChars: 128,
  /** Longest input (URL, key or path): 2048 is the de-facto URL limit of browsers and CDNs. */
  maxInputChars: 2048,
  /** One split's items travel in one complete call, so this bounds a split's size too. */
  maxItemsPerSplit: 5_000,
  /** The worker client truncates longer messages before sending (a long stack is no use here). */
  maxErrorMessageChars: 1_000,
  maxErrorCodeChars: 64,
  maxLabelChars: 256,
  maxProbabilities: 1_000,
});

/** Ids: letters, digits, `_` and `-` (UUIDs, cuids). */
export const IdSchema = z
  .string({ error: 'must be a string' })
  .regex(/^[A-Za-z0-9_-]+$/, { error: 'must be letters, digits, _ or - only' })
  .min(1, { error: 'must not be empty' })
  .max(PROTOCOL_LIMITS.maxIdChars, { error: `must be at most ${PROTOCOL_LIMITS.maxIdChars} characters` });

const count = () => z.number({ error: 'must be a number' }).int({ error: 'must be an integer' }).min(0, { error: 'must be ≥ 0' });
const durationMs = () => z.number({ error: 'must be a number' }).min(0, { error: 'must be ≥ 0' }).finite();

/** Dates travel as ISO-8601 strings and decode to `Date`. */
export const IsoDateSchema = z.codec(z.iso.datetime({ offset: true, error: 'must be an ISO-8601 date-time' }), z.date(), {
  decode: (text) => new Date(text),
  encode: (date) => date.toISOString(),
});

/** One item of a claimed split (named apart from payload.ts's WorkItemSchema, same shape). */
export const SplitItemSchema = z.object({
  index: count(),
  input: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }).max(PROTOCOL_LIMITS.maxInputChars),
});

const nullableMs = () => durationMs().nullable().optional();

export const ItemOutcomeSchema = z
  .object({
    index: count(),
    input: z.string({ error: 'must be a string' }).max(PROTOCOL_LIMITS.maxInputChars),
    label: z.string({ error: 'must be a string or null' }).min(1).max(PROTOCOL_LIMITS.maxLabelChars).nullable(),
    probabilities: z.array(z.number().finite()).max(PROTOCOL_LIMITS.maxProbabilities).nullable(),
    errorCode: z.string({ error: 'must be a string or null' }).min(1).max(PROTOCOL_LIMITS.maxErrorCodeChars).nullable(),
    errorMessage: z.string({ error: 'must be a string or null' }).max(PROTOCOL_LIMITS.maxErrorMessageChars).nullable(),
    fetchMs: nullableMs(),
    preprocessMs: nullableMs(),
    inferMs: nullableMs(),
  })
  .superRefine((o, ctx) => {
    if (typeof o !== 'object' || o === null) return;
    // Exactly one of label / errorCode: each input ends as one result or one error record.
    if ((o.label === null) === (o.errorCode === null)) {
      ctx.addIssue({ code: 'custom', path: ['label'], message: 'exactly one of label or errorCode must be set', input: o.label });
    }
    if (o.errorCode !== null && o.probabilities !== null) {
      ctx.addIssue({ code: 'custom', path: ['probabilities'], message: 'must be null when errorCode is set', input: o.probabilities });
    }
    if (o.label !== null && o.errorMessage !== null) {
      ctx.addIssue({ code: 'custom', path: ['errorMessage'], message: 'must be null when label is set', input: o.errorMessage });
    }
  });

/** Split-level timings a task manager measured for one attempt (all optional). */
export const SplitTimingsSchema = z.object({
  /** Claim answer received → complete sent. */
  wallMs: durationMs().optional(),
  fetchMs: durationMs().optional(),
  preprocessMs: durationMs().optional(),
  inferMs: durationMs().optional(),
});

// ---- claim ----
export const ClaimRequestSchema = z.object({ taskManagerId: IdSchema });
export const ClaimResponseSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('split'),
    attemptId: IdSchema,
    splitId: IdSchema,
    ordinal: count(),
    speculative: z.boolean(),
    leaseExpiresAt: IsoDateSchema,
    items: z.array(SplitItemSchema).min(1).max(PROTOCOL_LIMITS.maxItemsPerSplit),
  }),
  z.object({ kind: z.literal('wait'), retryAfterMs: count() }),
  z.object({ kind: z.literal('done') }),
]);

// ---- heartbeat ----
export const AbandonReason = {
  SPLIT_DONE: 'SPLIT_DONE',
  LEASE_LOST: 'LEASE_LOST',
  JOB_CANCELLED: 'JOB_CANCELLED',
  UNKNOWN_ATTEMPT: 'UNKNOWN_ATTEMPT',
} as const;
export type AbandonReason = (typeof AbandonReason)[keyof typeof AbandonReason];

export const HeartbeatRequestSchema = z.object({ attemptId: IdSchema });
export const HeartbeatResponseSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('continue'), leaseExpiresAt: IsoDateSchema }),
  z.object({ kind: z.literal('abandon'), reason: z.enum(AbandonReason) }),
]);

// ---- complete ----
export const DiscardReason = {
  SPLIT_DONE: 'SPLIT_DONE',
  SPLIT_FAILED: 'SPLIT_FAILED',
  JOB_CANCELLED: 'JOB_CANCELLED',
  UNKNOWN_ATTEMPT: 'UNKNOWN_ATTEMPT',
} as const;
export type DiscardReason = (typeof DiscardReason)[keyof typeof DiscardReason];

export const CompleteRequestSchema = z
  .object({
    attemptId: IdSchema,
    outcomes: z.array(ItemOutcomeSchema).max(PROTOCOL_LIMITS.maxItemsPerSplit),
    timings: SplitTimingsSchema.optional(),
    /** Also claim the caller's next split (while these outcomes are being stored), and answer it
     *  in `next`: one round trip instead of two when a task manager completes a split and wants
     *  another. `next` is 'wait' only if nothing was claimable once the outcomes were stored. */
    claimNext: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .superRefine((body, ctx) => {
    if (!Array.isArray(body.outcomes)) return;
    const seen = new Set<unknown>();
    body.outcomes.forEach((o, i) => {
      if (typeof o?.index === 'number' && seen.has(o.index)) {
        ctx.addIssue({ code: 'custom', path: ['outcomes', i, 'index'], message: 'appears twice in outcomes', input: o.index });
      }
      seen.add(o?.index);
    });
  });
/** The claim answer of a `claimNext` complete. */
const next = { next: ClaimResponseSchema.optional() };
export const CompleteResponseSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('accepted'), stored: count(), ...next }),
  z.object({ kind: z.literal('duplicate'), ...next }),
  z.object({ kind: z.literal('discarded'), reason: z.enum(DiscardReason), ...next }),
]);

// ---- report ----
export const TaskManagerExitReason = {
  /** The orchestrator answered `done`. */
  JOB_DONE: 'JOB_DONE',
  /** Nothing to claim for longer than the idle limit. */
  IDLE: 'IDLE',
  /** Stopping before the Lambda deadline. */
  DEADLINE: 'DEADLINE',
  /** Stopped by a signal or an abort. */
  STOPPED: 'STOPPED',
  ERROR: 'ERROR',
} as const;
export type TaskManagerExitReason = (typeof TaskManagerExitReason)[keyof typeof TaskManagerExitReason];

export const ReportRequestSchema = z
  .object({
    taskManagerId: IdSchema,
    /** Items this task manager finished with a label. */
    items: count(),
    /** Items it finished with an error record. */
    errors: count(),
    /** Splits it completed (accepted or not). */
    splits: count().optional(),
    busyMs: durationMs(),
    idleMs: durationMs(),
    coldStart: z.boolean({ error: 'must be true or false' }),
    startedAt: IsoDateSchema,
    endedAt: IsoDateSchema,
    /** Reading the model and creating sessions; 0 when cached sessions were reused. */
    modelLoadMs: durationMs().optional(),
    exitReason: z.enum(TaskManagerExitReason).optional(),
    /** Set when exitReason is ERROR. */
    errorMessage: z.string().max(PROTOCOL_LIMITS.maxErrorMessageChars).optional(),
    peakRssBytes: count().optional(),
  })
  .superRefine((r, ctx) => {
    // Refinements also run when a field already failed (zod reports everything at once): check types first.
    if (r.startedAt instanceof Date && r.endedAt instanceof Date && r.endedAt.getTime() < r.startedAt.getTime()) {
      ctx.addIssue({ code: 'custom', path: ['endedAt'], message: 'must not be before startedAt', input: r.endedAt });
    }
  });
export const ReportResponseSchema = z.object({ kind: z.literal('ok') });

// ---- errors ----
export const WorkerErrorCode = {
  UNAUTHORIZED: 'UNAUTHORIZED',
  BAD_REQUEST: 'BAD_REQUEST',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  NOT_FOUND: 'NOT_FOUND',
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  INTERNAL: 'INTERNAL',
  UNAVAILABLE: 'UNAVAILABLE',
} as const;
export type WorkerErrorCode = (typeof WorkerErrorCode)[keyof typeof WorkerErrorCode];

export const IssueSchema = z.object({ path: z.string(), message: z.string() });
export type Issue = z.infer<typeof IssueSchema>;

export const ErrorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    issues: z.array(IssueSchema).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

// ---- types: decoded (Dates) and wire (ISO strings) ----
export type ClaimRequest = z.output<typeof ClaimRequestSchema>;
export type ClaimResponse = z.output<typeof ClaimResponseSchema>;
export type ClaimResponseWire = z.input<typeof ClaimResponseSchema>;
export type HeartbeatRequest = z.output<typeof HeartbeatRequestSchema>;
export type HeartbeatResponse = z.output<typeof HeartbeatResponseSchema>;
export type HeartbeatResponseWire = z.input<typeof HeartbeatResponseSchema>;
export type CompleteRequest = z.output<typeof CompleteRequestSchema>;
export type CompleteResponse = z.output<typeof CompleteResponseSchema>;
export type SplitTimings = z.output<typeof SplitTimingsSchema>;
export type ReportRequest = z.output<typeof ReportRequestSchema>;
export type ReportRequestWire = z.input<typeof ReportRequestSchema>;
export type ReportResponse = z.output<typeof ReportResponseSchema>;

/** Render zod issues as `{ path: 'outcomes[3].label', message: '... (got 7)' }` for error bodies. */
export function protocolIssues(issues: readonly z.core.$ZodIssue[], limit = 20): Issue[] {
  return issues.slice(0, limit).map((issue) => ({
    path: issue.path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), ''),
    message: 'input' in issue && issue.code !== 'invalid_union' ? `${issue.message} (got ${describe(issue.input)})` : issue.message,
  }));
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  try {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 60 ? `${text.slice(0, 60)}…` : text;
  } catch {
    return typeof value;
  }
}

// Compile-time proof that the wire shapes match the runtime's own item types (both directions).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const workItemMatches: Same<z.output<typeof SplitItemSchema>, WorkItem> = true;
const outcomeMatches: Same<z.output<typeof ItemOutcomeSchema>, ItemOutcome> = true;
void workItemMatches;
void outcomeMatches;
