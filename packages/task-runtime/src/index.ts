export type { WorkItem, ItemOutcome, LogFn, NowFn } from './types.js';
export { LogLevel } from './types.js';
export type { ErrorCode } from './errors.js';
export { OffsampleError, ItemErrorCode, TaskErrorCode, normalizeError } from './errors.js';
export type { TaskManagerConfig, TaskManagerConfigInput } from './config.js';
export { compileTaskManagerConfig } from './config.js';
export { TASK_MANAGER_DEFAULTS } from './defaults.js';
export { BoundedQueue } from './queue.js';
export type { Fetcher, FetcherDeps, InputSource } from './fetch/fetcher.js';
export { createFetcher, classifyInput } from './fetch/fetcher.js';
export { refusalReason as addressRefusalReason } from './fetch/address-guard.js';
export type { AddressPolicy } from './fetch/address-guard.js';
export { classifyImageError, preprocessImage } from './preprocess.js';
export type { LoadedModel, Prediction, ItemPrediction, OnRun } from './infer.js';
export type { SessionPool, SessionPoolSettings, InferenceSlot, InferenceRunner } from './session-pool.js';
export { createSessionPool } from './session-pool.js';
export type { Pipeline, PipelineDeps, PipelineStats, RunOptions } from './pipeline.js';
export { createPipeline } from './pipeline.js';
export type { TaskManagerPayload, StaticTaskManagerPayload, DynamicTaskManagerPayload } from './payload.js';
export {
  TaskManagerPayloadSchema,
  StaticTaskManagerPayloadSchema,
  DynamicTaskManagerPayloadSchema,
  WorkItemSchema,
  parseTaskManagerPayload,
} from './payload.js';
export { runPullLoop, PULL_LOOP_DEFAULTS } from './pull-loop.js';
export type { PullLoopOptions, PullLoopResult } from './pull-loop.js';
export type { TaskManagerDeps, TaskManagerReport, TaskManagerResult } from './task-manager.js';
export { runTaskManager, releaseCachedSessions } from './task-manager.js';
// Worker protocol v1 and its client (also reachable without onnxruntime / sharp through the
// `@offsample/task-runtime/protocol` and `/worker-client` subpaths).
export type {
  Issue,
  ErrorBody,
  ClaimRequest,
  ClaimResponse,
  ClaimResponseWire,
  HeartbeatRequest,
  HeartbeatResponse,
  HeartbeatResponseWire,
  CompleteRequest,
  CompleteResponse,
  SplitTimings,
  ReportRequest,
  ReportRequestWire,
  ReportResponse,
} from './protocol.js';
export {
  PROTOCOL_VERSION,
  WorkerRoute,
  PROTOCOL_LIMITS,
  IdSchema,
  IsoDateSchema,
  SplitItemSchema,
  ItemOutcomeSchema,
  SplitTimingsSchema,
  ClaimRequestSchema,
  ClaimResponseSchema,
  AbandonReason,
  HeartbeatRequestSchema,
  HeartbeatResponseSchema,
  DiscardReason,
  CompleteRequestSchema,
  CompleteResponseSchema,
  TaskManagerExitReason,
  ReportRequestSchema,
  ReportResponseSchema,
  WorkerErrorCode,
  IssueSchema,
  ErrorBodySchema,
  protocolIssues,
} from './protocol.js';
export type { WorkerClient, WorkerClientOptions } from './worker-client.js';
export { WORKER_CLIENT_DEFAULTS, WorkerClientErrorCode, WorkerClientError, createWorkerClient } from './worker-client.js';
