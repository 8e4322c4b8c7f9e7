'use client';
/**
 * The browser's GraphQL client: queries and mutations are POSTed to the same-origin /graphql
 * handler; the jobProgress subscription goes over graphql-ws to the URL the server hands down.
 */
import { createClient, type Client } from 'graphql-ws';

export class GraphQLRequestError extends Error {
  readonly code: string;
  constructor(message: string, code: string) {
    super(message);
    this.name = 'GraphQLRequestError';
    this.code = code;
  }
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export async function gql<T>(query: string, variables: Record<string, unknown> = {}, signal?: AbortSignal): Promise<T> {
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
    cache: 'no-store',
    signal,
  });
  let payload: GraphQLResponse<T>;
  try {
    payload = (await res.json()) as GraphQLResponse<T>;
  } catch {
    throw new GraphQLRequestError(`the gateway answered HTTP ${res.status} without a GraphQL body`, 'BAD_RESPONSE');
  }
  const first = payload.errors?.[0];
  if (first) throw new GraphQLRequestError(first.message, first.extensions?.code ?? 'GRAPHQL_ERROR');
  if (payload.data == null) throw new GraphQLRequestError(`empty answer (HTTP ${res.status})`, 'BAD_RESPONSE');
  return payload.data;
}

let wsClient: { url: string; client: Client } | null = null;

/** A relative or empty URL means "this origin's /graphql" (the dashboard server proxies it). */
function resolveWsUrl(configured: string | null): string {
  if (configured) return configured;
  const scheme = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${window.location.host}/graphql`;
}

function client(configuredUrl: string | null): Client {
  const url = resolveWsUrl(configuredUrl);
  if (wsClient?.url !== url) {
    void wsClient?.client.dispose();
    wsClient = { url, client: createClient({ url, lazy: true, retryAttempts: 20, lazyCloseTimeout: 1000 }) };
  }
  return wsClient.client;
}

export interface SubscriptionHandlers<T> {
  next(data: T): void;
  error(err: Error): void;
  complete?(): void;
}

/** Returns the unsubscribe function. */
export function subscribe<T>(
  wsUrl: string | null,
  query: string,
  variables: Record<string, unknown>,
  handlers: SubscriptionHandlers<T>,
): () => void {
  return client(wsUrl).subscribe<T>(
    { query, variables },
    {
      next: (msg) => {
        const first = msg.errors?.[0];
        if (first) {
          const code = (first.extensions as { code?: string } | undefined)?.code ?? 'GRAPHQL_ERROR';
          handlers.error(new GraphQLRequestError(first.message, code));
        } else if (msg.data) handlers.next(msg.data as T);
      },
      error: (err) => {
        if (err instanceof Error) handlers.error(err);
        else if (Array.isArray(err)) handlers.error(new GraphQLRequestError(String(err[0]?.message ?? 'subscription error'), 'GRAPHQL_ERROR'));
        else handlers.error(new GraphQLRequestError('the live connection to the gateway closed', 'WS_CLOSED'));
      },
      complete: () => handlers.complete?.(),
    },
  );
}
