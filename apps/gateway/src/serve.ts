/**
 * `serveGateway`: the whole server process in one call — an Orchestrator (opens Postgres, starts the
 * worker endpoint and scheduler, recovers every QUEUED and RUNNING job), then the gateway over it.
 * `close()` stops the gateway first (no new work comes in), then the orchestrator (jobs stay
 * RUNNING / QUEUED in Postgres for the next start).
 */
import { Orchestrator, type OrchestratorDeps, type OrchestratorOptions } from '@offsample/orchestrator-core';
import { startGateway, type GatewayHandle } from './server/start.js';
import type { GatewayServerOptions } from './server/options.js';

export interface ServeGatewayOptions extends GatewayServerOptions {
  orchestratorOptions?: OrchestratorOptions;
  orchestratorDeps?: OrchestratorDeps;
}

export interface ServedGateway {
  orchestrator: Orchestrator;
  gateway: GatewayHandle;
  close(): Promise<void>;
}

export async function serveGateway(opts: ServeGatewayOptions = {}): Promise<ServedGateway> {
  const { orchestratorOptions, orchestratorDeps, ...gatewayOptions } = opts;
  const orchestrator = new Orchestrator(orchestratorOptions ?? {}, orchestratorDeps ?? {});
  await orchestrator.start();
  let gateway: GatewayHandle;
  try {
    gateway = await startGateway({ ...gatewayOptions, orchestrator });
  } catch (err) {
    await orchestrator.stop();
    throw err;
  }
  let closing: Promise<void> | null = null;
  return {
    orchestrator,
    gateway,
    close() {
      closing ??= (async () => {
        await gateway.close();
        await orchestrator.stop();
      })();
      return closing;
    },
  };
}
