// @offsample/orchestrator-core — public surface (named exports only; internals stay unexported).

// Orchestrator
export { Orchestrator } from './orchestrator/orchestrator.js';
export type { OrchestratorDeps, JobStatusEvent } from './orchestrator/orchestrator.js';
export type { StoredJobSettings } from './orchestrator/job-runner.js';
export { progressFromSnapshot } from './orchestrator/progress.js';
export { exportOutputs } from './orchestrator/outputs.js';
export { CSV_HEADER, RESULT_FORMATS, resultCsvLine, resultJsonLine, resultLineWriter, type ResultFormat, type ResultRow } from './results-format.js';
export type { JobProgress, StuckSplit, JobSummary } from './api-types.js';

// The error base every orchestrator-core error extends
export { OrchestratorError } from './errors.js';

// States and ports
export { JobStatus, SplitStatus, AttemptStatus, TaskManagerStatus } from './ports.js';
export type {
  WorkItem,
  ItemOutcome,
  ClaimResult,
  HeartbeatResult,
  CompleteResult,
  SplitStore,
  WorkerStore,
  SplitTimings,
  AttemptOwner,
  TaskManagerReport,
} from './ports.js';

// Jobs, policies, options
export { compileJobOptions } from './job/compile.js';
export { JOB_DEFAULTS, JOB_LIMITS } from './job/defaults.js';
export { OptionsErrorCode, OptionsError, JobOptionsError, OrchestratorOptionsError, JobPlanError } from './job/errors.js';
export type { OptionsIssue } from './job/errors.js';
export { BackendName, SplitMode, OutputStorage } from './job/types.js';
export type { JobOptionsInput, CompiledJob } from './job/types.js';
export { ORCHESTRATOR_DEFAULTS } from './policies/defaults.js';
export { compileOrchestratorOptions, capsFor } from './policies/orchestrator-options.js';
export type { OrchestratorOptions, CompiledOrchestratorOptions } from './policies/orchestrator-options.js';
export { resolveJobPlan, freeTaskManagers } from './policies/plan.js';
export type { PlanJob, PlanCaps, PlanDefaults, JobPlan } from './policies/plan.js';
export { jobPolicies, jobPolicy, SEED_SIZE_TABLE } from './policies/policies.js';
export type { PolicyContext, PolicyDecision, PolicyFn, JobPolicy, JobPolicySpec, SizeTableRow } from './policies/policies.js';

// Backends
export { LocalBackend, defaultChildEntrypoint } from './backends/local.js';
export type { LocalBackendOptions } from './backends/local.js';
export type { Backend, TaskManagerHandle, TaskManagerExit } from './backends/types.js';

// Database and store
export { openDatabase, ensureDatabase, withDatabase, DEFAULT_EMBEDDED_DATA_DIR } from './db/open.js';
export type { Database, OpenDatabaseOptions } from './db/open.js';
export { migrate, readMigrations, DEFAULT_MIGRATIONS_DIR } from './db/migrate.js';
export { startEmbeddedPostgres } from './db/embedded.js';
export type { EmbeddedPostgres, EmbeddedPostgresOptions } from './db/embedded.js';
export { DatabaseError, DatabaseErrorCode, redactUrl } from './db/errors.js';
export { PgSplitStore } from './store/split-store.js';
export type { StoreDatabase, PgSplitStoreOptions } from './store/split-store.js';
export { STORE_DEFAULTS, WORKER_COMMITS, type WorkerCommit } from './store/defaults.js';
export { StoreError, StoreErrorCode } from './store/errors.js';
export type {
  JobSpec,
  JobRecord,
  JobWithSettings,
  RunningAttempt,
  JobProgressSnapshot,
  ReleaseReport,
  TerminateReport,
  TaskManagerRecord,
  ResultRecord,
  ListResultsOptions,
  SplitSummary,
  AttemptRecord,
} from './store/types.js';
export type { ListJobsOptions } from './store/reads.js';

// Worker endpoint
export { startWorkerEndpoint } from './worker-endpoint/server.js';
export type { WorkerEndpoint, WorkerEndpointOptions, WorkerSecrets, EndpointLog } from './worker-endpoint/server.js';
export { cachedWorkerSecrets } from './worker-endpoint/secrets.js';
export { createJobSecret, createWorkerToken, parseWorkerToken, verifyWorkerToken } from './worker-endpoint/token.js';

// Lambda backend and deploy
export { LambdaBackend } from './backends/lambda.js';
export { LAMBDA_BACKEND_DEFAULTS, compileLambdaBackendOptions } from './backends/lambda-options.js';
export type { LambdaBackendOptions, CompiledLambdaBackendOptions, ExitWatcher } from './backends/lambda-options.js';
export { createStoreExitWatcher } from './backends/lambda-exit-watcher.js';
export type { StoreExitWatcherOptions, TaskManagerRows } from './backends/lambda-exit-watcher.js';
export { LambdaError, LambdaErrorCode } from './backends/lambda-errors.js';
export { DEPLOY_DEFAULTS } from './deploy/defaults.js';
export { buildLambdaBundle } from './deploy/bundle.js';
export type { BuildLambdaBundleOptions, LambdaBundle } from './deploy/bundle.js';
export { deployFunction } from './deploy/deploy-function.js';
export type { DeployFunctionOptions, DeployedFunction } from './deploy/deploy-function.js';
export { discoverEc2Network } from './deploy/ec2-network.js';
export type { DiscoverEc2NetworkOptions, Ec2Network } from './deploy/ec2-network.js';
export { writeZip } from './deploy/zip.js';
export type { ZipEntry, ZipWriteResult } from './deploy/zip.js';
