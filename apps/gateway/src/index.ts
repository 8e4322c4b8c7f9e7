import 'reflect-metadata';

export { buildGatewaySchema, printGatewaySchema } from './build-schema.js';
export { GATEWAY_DEFAULTS, PAGE_DEFAULTS, INPUT_DEFAULTS } from './defaults.js';
export { ErrorCode, type FieldIssue } from './errors.js';
export { PubSub, type Subscription } from './pubsub.js';
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
