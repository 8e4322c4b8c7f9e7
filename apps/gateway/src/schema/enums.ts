/**
 * GraphQL enums. Status values are the orchestrator's own (`ports.ts` in orchestrator-core); the
 * gateway registers them under GraphQL names. Settings enums map GraphQL names (LOCAL) to the
 * lower-case values the job options use ('local').
 */
import 'reflect-metadata';
import { registerEnumType } from 'type-graphql';

// Mirrors orchestrator-core's `JobStatus` / `SplitStatus` / `AttemptStatus` / `TaskManagerStatus`
// (a test checks they stay equal).
export const JobStatus = {
  QUEUED: 'QUEUED',
  RUNNING: 'RUNNING',
  SUCCEEDED: 'SUCCEEDED',
  FAILED: 'FAILED',
  CANCELLED: 'CANCELLED',
} as const;
export type JobStatus = (typeof JobStatus)[keyof typeof JobStatus];

export const SplitStatus = { PENDING: 'PENDING', RUNNING: 'RUNNING', DONE: 'DONE', FAILED: 'FAILED' } as const;
export type SplitStatus = (typeof SplitStatus)[keyof typeof SplitStatus];

export const AttemptStatus = {
  RUNNING: 'RUNNING',
  SUCCEEDED: 'SUCCEEDED',
  LOST: 'LOST',
  CANCELLED: 'CANCELLED',
  FAILED: 'FAILED',
} as const;
export type AttemptStatus = (typeof AttemptStatus)[keyof typeof AttemptStatus];

export const TaskManagerStatus = {
  STARTING: 'STARTING',
  RUNNING: 'RUNNING',
  EXITED: 'EXITED',
  FAILED: 'FAILED',
} as const;
export type TaskManagerStatus = (typeof TaskManagerStatus)[keyof typeof TaskManagerStatus];

export const Backend = { LOCAL: 'local', LAMBDA: 'lambda' } as const;
export type Backend = (typeof Backend)[keyof typeof Backend];

export const SplitMode = { DYNAMIC: 'dynamic', STATIC: 'static' } as const;
export type SplitMode = (typeof SplitMode)[keyof typeof SplitMode];

export const OutputStorage = { PRINT: 'print', LOCAL: 'local', S3: 's3' } as const;
export type OutputStorage = (typeof OutputStorage)[keyof typeof OutputStorage];

export const StuckReason = { SLOW: 'SLOW', LEASE_LAPSING: 'LEASE_LAPSING' } as const;
export type StuckReason = (typeof StuckReason)[keyof typeof StuckReason];

registerEnumType(JobStatus, { name: 'JobStatus', description: 'QUEUED → RUNNING → SUCCEEDED | FAILED | CANCELLED' });
registerEnumType(SplitStatus, { name: 'SplitStatus', description: 'PENDING → RUNNING → DONE | FAILED' });
registerEnumType(AttemptStatus, {
  name: 'AttemptStatus',
  description: 'RUNNING → SUCCEEDED | LOST | CANCELLED | FAILED',
});
registerEnumType(TaskManagerStatus, { name: 'TaskManagerStatus' });
registerEnumType(Backend, { name: 'Backend', description: 'Where task managers run.' });
registerEnumType(SplitMode, {
  name: 'SplitMode',
  description: 'DYNAMIC: task managers pull splits from the worker endpoint; STATIC: each invocation gets one split in its payload.',
});
registerEnumType(OutputStorage, {
  name: 'OutputStorage',
  description: 'Where results are exported on completion (they are always kept in Postgres).',
});
registerEnumType(StuckReason, {
  name: 'StuckReason',
  description: 'SLOW: running longer than the speculation multiplier × the median split time; LEASE_LAPSING: its lease is about to expire.',
});
