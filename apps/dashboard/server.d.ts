/** Options for {@link startDashboard}; every field is optional. */
export interface StartDashboardOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** The gateway's base URL (`/graphql` is appended when no path is given); default http://127.0.0.1:4000. */
  gatewayUrl?: string;
  /** The gateway's graphql-ws URL; default derived from gatewayUrl (http→ws, same path). */
  gatewayWsUrl?: string;
  /** Sent to the gateway as `Authorization: Bearer …`; default env OFFSAMPLE_API_TOKEN. */
  apiToken?: string | null;
  /** The Next.js app directory holding `.next/`; default this package's folder. */
  dir?: string;
}

export interface RunningDashboard {
  /** e.g. http://127.0.0.1:3000 */
  url: string;
  port: number;
  /** Stops the HTTP server (and open connections) and the Next.js app. Idempotent. */
  close(): Promise<void>;
}

export declare const DASHBOARD_DEFAULTS: Readonly<{ host: string; port: number; gatewayUrl: string }>;

export declare class DashboardError extends Error {
  /** BAD_OPTION | NOT_BUILT */
  readonly code: string;
  readonly retryable: false;
  constructor(code: string, message: string);
}

/** Starts the production build of the dashboard (run `next build` first). */
export declare function startDashboard(options?: StartDashboardOptions): Promise<RunningDashboard>;
