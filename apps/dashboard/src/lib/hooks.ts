'use client';
import { useCallback, useContext, useEffect, useRef, useState } from 'react';
import { gql, subscribe } from './graphql-client';
import { ConfigContext } from '@/components/ConfigProvider';

export interface QueryState<T> {
  data: T | null;
  error: Error | null;
  loading: boolean;
  refetch(): void;
}

/**
 * Runs a query when its variables change, and again every `pollMs` while `pollMs` is set.
 * Keeps the last good data while a refetch is under way or fails.
 */
export function useQuery<T>(query: string, variables: Record<string, unknown>, opts: { pollMs?: number | null; skip?: boolean } = {}): QueryState<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const key = JSON.stringify(variables);
  const refetch = useCallback(() => setTick((t) => t + 1), []);

  useEffect(() => {
    if (opts.skip) return;
    const ctrl = new AbortController();
    setLoading(true);
    gql<T>(query, JSON.parse(key) as Record<string, unknown>, ctrl.signal)
      .then((d) => {
        setData(d);
        setError(null);
      })
      .catch((err: unknown) => {
        if (ctrl.signal.aborted) return;
        setError(err instanceof Error ? err : new Error(String(err)));
      })
      .finally(() => {
        if (!ctrl.signal.aborted) setLoading(false);
      });
    return () => ctrl.abort();
  }, [query, key, tick, opts.skip]);

  const pollMs = opts.pollMs ?? null;
  useEffect(() => {
    if (pollMs == null || opts.skip) return;
    const timer = setInterval(() => setTick((t) => t + 1), pollMs);
    return () => clearInterval(timer);
  }, [pollMs, opts.skip]);

  return { data, error, loading, refetch };
}

export interface SubscriptionState<T> {
  data: T | null;
  error: Error | null;
  /** True once the server said the stream is over (the job ended). */
  completed: boolean;
}

export function useSubscription<T>(query: string, variables: Record<string, unknown>, opts: { skip?: boolean } = {}): SubscriptionState<T> {
  const { wsUrl } = useContext(ConfigContext);
  const [state, setState] = useState<SubscriptionState<T>>({ data: null, error: null, completed: false });
  const key = JSON.stringify(variables);
  useEffect(() => {
    if (opts.skip) return;
    setState({ data: null, error: null, completed: false });
    return subscribe<T>(wsUrl, query, JSON.parse(key) as Record<string, unknown>, {
      next: (data) => setState({ data, error: null, completed: false }),
      error: (error) => setState((s) => ({ ...s, error })),
      complete: () => setState((s) => ({ ...s, completed: true })),
    });
  }, [wsUrl, query, key, opts.skip]);
  return state;
}

/** Current time, refreshed every `everyMs`; null during server rendering and the first paint. */
export function useNow(everyMs: number): number | null {
  const [now, setNow] = useState<number | null>(null);
  const ref = useRef<ReturnType<typeof setInterval> | null>(null);
  useEffect(() => {
    setNow(Date.now());
    ref.current = setInterval(() => setNow(Date.now()), everyMs);
    return () => {
      if (ref.current) clearInterval(ref.current);
    };
  }, [everyMs]);
  return now;
}
