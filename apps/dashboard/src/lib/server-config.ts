/**
 * Where the gateway is, read at request time (never at build time) so one production build can
 * serve any gateway. `startDashboard()` (server.js) may set an in-process override; otherwise env.
 */
export interface DashboardServerConfig {
  /** Gateway GraphQL HTTP endpoint, e.g. http://127.0.0.1:4000/graphql. */
  graphqlUrl: string;
  /** Gateway GraphQL WebSocket endpoint, e.g. ws://127.0.0.1:4000/graphql. */
  graphqlWsUrl: string;
  /** Sent as `Authorization: Bearer …` to the gateway; never handed to the browser. */
  apiToken: string | null;
  /** True when the dashboard's own server proxies WebSocket upgrades on /graphql (startDashboard). */
  proxiesWebSocket: boolean;
}

/** Defaults: the gateway's own default address. */
export const DEFAULT_GATEWAY_URL = 'http://127.0.0.1:4000';
const GRAPHQL_PATH = '/graphql';

const OVERRIDE_KEY = Symbol.for('offsample.dashboard.config');

interface Override {
  gatewayUrl?: string;
  gatewayWsUrl?: string;
  apiToken?: string | null;
  proxiesWebSocket?: boolean;
}

/** A base URL gets /graphql appended; a URL that already names a path is used as it is. */
function endpointOf(url: string): string {
  const parsed = new URL(url);
  if (parsed.pathname === '' || parsed.pathname === '/') parsed.pathname = GRAPHQL_PATH;
  return parsed.toString();
}

export function serverConfig(): DashboardServerConfig {
  const override = (globalThis as Record<symbol, Override | undefined>)[OVERRIDE_KEY] ?? {};
  const gatewayUrl = override.gatewayUrl ?? process.env.OFFSAMPLE_GATEWAY_URL ?? DEFAULT_GATEWAY_URL;
  const graphqlUrl = endpointOf(gatewayUrl);
  const explicitWs = override.gatewayWsUrl ?? process.env.OFFSAMPLE_GATEWAY_WS_URL;
  const ws = new URL(explicitWs ? endpointOf(explicitWs) : graphqlUrl);
  if (!explicitWs) ws.protocol = ws.protocol === 'https:' ? 'wss:' : 'ws:';
  const token = override.apiToken !== undefined ? override.apiToken : process.env.OFFSAMPLE_API_TOKEN;
  return {
    graphqlUrl,
    graphqlWsUrl: ws.toString(),
    apiToken: token ? token : null,
    proxiesWebSocket: override.proxiesWebSocket ?? false,
  };
}
