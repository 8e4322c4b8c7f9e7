/** What every resolver gets through `@Ctx()`. */
import type { GatewayOrchestrator, GatewayStore, JobStatusEvent } from './ports.js';
import type { PubSub } from './pubsub.js';

export type GatewayEvents = { jobStatus: JobStatusEvent };

export interface GatewayContext {
  orchestrator: GatewayOrchestrator;
  store: GatewayStore;
  /** Job status changes relayed from the orchestrator: they wake `jobProgress` streams early. */
  events: PubSub<GatewayEvents>;
  progressIntervalMs: number;
  /** Directories `inputsFrom` file paths must lie in; null: any path the gateway can read. */
  inputsFromDirs: readonly string[] | null;
}
