#!/usr/bin/env node
// `npm start`: the built dashboard on PORT (default 3000), talking to OFFSAMPLE_GATEWAY_URL.
import { startDashboard } from './server.js';

const dashboard = await startDashboard({
  port: Number(process.env.PORT ?? 3000),
  host: process.env.HOST ?? '127.0.0.1',
  gatewayUrl: process.env.OFFSAMPLE_GATEWAY_URL,
  gatewayWsUrl: process.env.OFFSAMPLE_GATEWAY_WS_URL,
});
console.log(`dashboard: ${dashboard.url} (gateway ${process.env.OFFSAMPLE_GATEWAY_URL ?? 'http://127.0.0.1:4000'})`);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    void dashboard.close().then(() => process.exit(0));
  });
}
