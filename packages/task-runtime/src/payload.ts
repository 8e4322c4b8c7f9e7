/**
 * The payload a task manager is started with (Lambda event / child-process message), validated
 * with zod at the process boundary. `mode` discriminates: 'static' carries its split; 'dynamic'
 * (pulling splits from the worker endpoint) is added as another member of the union.
 */
import { z } from 'zod';
import { formatIssues } from './config.js';
import { OffsampleError, TaskErrorCode } from './errors.js';
import { IdSchema, PROTOCOL_LIMITS } from './protocol.js';

// Same ids and limits as the worker protocol, so a split fits either way of delivery.
export const WorkItemSchema = z.strictObject({
  index: z.number().int().min(0),
  input: z.string().min(1).max(PROTOCOL_LIMITS.maxInputChars),
});

const common = {
  version: z.literal(1),
  jobId: IdSchema,
  taskManagerId: IdSchema,
  /** Job bucket: plain (scheme-less) inputs are keys in it. */
  bucket: z.string().min(1).max(255).optional(),
  /** TaskManagerConfigInput; checked by compileTaskManagerConfig for field-level messages. */
  config: z.unknown().optional(),
  /** Model directory on the task manager's disk; the shipped model when absent. */
  model: z.strictObject({ dir: z.string().min(1) }).optional(),
};

export const StaticTaskManagerPayloadSchema = z.strictObject({
  ...common,
  mode: z.literal('static'),
  split: z.strictObject({
    splitId: IdSchema,
    items: z.array(WorkItemSchema).max(PROTOCOL_LIMITS.maxItemsPerSplit),
  }),
});

/** Dynamic mode: pull splits from the worker endpoint until the job is over (DESIGN.md, worker protocol). */
export const DynamicTaskManagerPayloadSchema = z.strictObject({
  ...common,
  mode: z.literal('dynamic'),
  endpoint: z.strictObject({
    url: z.string().regex(/^https?:\/\/\S+$/, { error: 'must be an http(s) URL' }),
    token: z.string().min(1).max(1024),
  }),
  keepAlive: z
    .strictObject({ enabled: z.boolean(), intervalMs: z.number().int().min(50).max(600_000) })
    .optional(),
  /** Exit after this long with nothing to claim while other splits still run. */
  idleTimeoutMs: z.number().int().min(0).max(3_600_000).optional(),
  /** Stop claiming this long before `deadlineAt` (Lambda: its own timeout). */
  deadlineAt: z.iso.datetime({ offset: true }).optional(),
});

export const TaskManagerPayloadSchema = z.discriminatedUnion('mode', [StaticTaskManagerPayloadSchema, DynamicTaskManagerPayloadSchema]);

export type StaticTaskManagerPayload = z.infer<typeof StaticTaskManagerPayloadSchema>;
export type DynamicTaskManagerPayload = z.infer<typeof DynamicTaskManagerPayloadSchema>;
export type TaskManagerPayload = z.infer<typeof TaskManagerPayloadSchema>;

/** Validate an untrusted payload; throws PAYLOAD_INVALID naming the field and value. */
export function parseTaskManagerPayload(raw: unknown): TaskManagerPayload {
  const parsed = TaskManagerPayloadSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw new OffsampleError(TaskErrorCode.PAYLOAD_INVALID, formatIssues('payload', parsed.error.issues));
  return parsed.data;
}
