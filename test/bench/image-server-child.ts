/**
 * Child-process entry of the bench's image server. It runs outside the measured process on
 * purpose: onnxruntime-node's `session.run` blocks the main thread for a whole batch, which would
 * delay an in-process server's 20 ms latency timers by hundreds of ms — a remote store is not
 * slowed by our inference. Told {root, latencyMs} over IPC; answers {url}; exits on disconnect.
 */
import { startStaticServer } from '@offsample/cli/static-server';

interface StartMessage {
  root: string;
  latencyMs: number;
}

process.once('message', (raw: unknown) => {
  const msg = raw as StartMessage;
  startStaticServer({ root: msg.root, latencyMs: msg.latencyMs })
    .then((server) => {
      process.send?.({ url: server.url });
      process.on('message', (m: unknown) => {
        if ((m as { type?: string }).type === 'count') process.send?.({ count: server.requestCount() });
      });
      process.once('disconnect', () => {
        void server.close().finally(() => process.exit(0));
      });
    })
    .catch((err: unknown) => {
      process.send?.({ error: err instanceof Error ? err.message : String(err) });
      process.exit(1);
    });
});
