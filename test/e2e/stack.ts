/**
 * The real back end for the browser tests: an Orchestrator (local child-process task managers,
 * Postgres) hosted by the gateway, as `offsample serve` runs them.
 */
import { Writable } from 'node:stream';
import { Orchestrator } from '@offsample/orchestrator-core';
import { startGateway } from '@offsample/gateway';

export interface Stack {
  /** http://127.0.0.1:<port> (the dashboard appends /graphql). */
  gatewayUrl: string;
  close(): Promise<void>;
}

export async function startStack(opts: { databaseUrl: string; apiToken: string | null; maxTaskManagers?: number }): Promise<Stack> {
  const maxTaskManagers = opts.maxTaskManagers ?? 3;
  const logged: string[] = [];
  const orchestrator = new Orchestrator(
    { maxJobManagers: 2, maxTaskManagers, backends: { local: { maxTaskManagers } } },
    {
      databaseUrl: opts.databaseUrl,
      // `print` output of finished jobs is not what these tests look at.
      printSink: new Writable({ write: (_c, _e, cb) => cb() }),
      log: (level, message, fields) => {
        if (level !== 'info') logged.push(`${level}: ${message} ${fields ? JSON.stringify(fields) : ''}`);
      },
    },
  );
  await orchestrator.start();
  let gateway;
  try {
    gateway = await startGateway({ orchestrator, port: 0, apiToken: opts.apiToken, log: { info: () => {}, error: (m, e) => logged.push(`gateway: ${m} ${String(e)}`) } });
  } catch (err) {
    await orchestrator.stop();
    throw err;
  }
  return {
    gatewayUrl: gateway.origin,
    async close() {
      await gateway.close();
      await orchestrator.stop();
      if (logged.length) console.warn(`stack log:\n${logged.join('\n')}`);
    },
  };
}
