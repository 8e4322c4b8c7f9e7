import 'reflect-metadata';

export { startGateway, type StartGatewayOptions, type GatewayHandle } from './server/start.js';
export { serveGateway, type ServeGatewayOptions, type ServedGateway } from './serve.js';
export {
  compileGatewayOptions,
  GatewayOptionsError,
  type GatewayServerOptions,
  type GatewayConfig,
  type GatewayLogger,
} from './server/options.js';
export { depthLimitRule } from './server/depth-limit.js';
export { createPrismaStore, type SqlClient } from './store/prisma-store.js';
export { buildGatewaySchema, printGatewaySchema } from './build-schema.js';
export { GATEWAY_DEFAULTS, PAGE_DEFAULTS, INPUT_DEFAULTS } from './defaults.js';
export { ErrorCode, type FieldIssue } from './errors.js';
export { PubSub, type Subscription } from './pubsub.js';
export { progressStream } from './progress-stream.js';
export { readInputsFrom, type InputsFromLimits } from './inputs-from.js';
export type {
  GatewayOrchestrator,
  GatewayStore,
  JobSubmission,
  JobStatusEvent,
  ProgressSnapshot,
  PageOf,
  JobKey,
  ResultQuery,
} from './ports.js';
