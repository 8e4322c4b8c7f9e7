/**
 * GraphQL enums: the orchestrator's own `as const` objects (statuses from ports.ts, settings from
 * job/types.ts), registered under GraphQL names. Settings enums map GraphQL names (LOCAL) to the
 * lower-case values the job options use ('local').
 */
import 'reflect-metadata';
import { registerEnumType } from 'type-graphql';
import {
  AttemptStatus,
  BackendName,
  JobStatus,
  OutputStorage,
  SplitMode,
  SplitStatus,
  TaskManagerStatus,
} from '@offsample/orchestrator-core';

// The orchestrator's own state and settings objects (each a value and a type of the same name).
export { JobStatus, SplitStatus, AttemptStatus, TaskManagerStatus, BackendName as Backend, SplitMode, OutputStorage };

export const StuckReason = { SLOW: 'SLOW', LEASE_LAPSING: 'LEASE_LAPSING' } as const;
export type StuckReason = (typeof StuckReason)[keyof typeof StuckReason];

registerEnumType(JobStatus, { name: 'JobStatus', description: 'QUEUED → RUNNING → SUCCEEDED | FAILED | CANCELLED' });
registerEnumType(SplitStatus, { name: 'SplitStatus', description: 'PENDING → RUNNING → DONE | FAILED' });
registerEnumType(AttemptStatus, {
  name: 'AttemptStatus',
  description: 'RUNNING → SUCCEEDED | LOST | CANCELLED | FAILED',
});
registerEnumType(TaskManagerStatus, { name: 'TaskManagerStatus' });
registerEnumType(BackendName, { name: 'Backend', description: 'Where task managers run.' });
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
