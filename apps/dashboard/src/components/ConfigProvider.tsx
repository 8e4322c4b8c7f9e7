'use client';
import { createContext, type ReactNode } from 'react';

export interface ClientConfig {
  /** graphql-ws URL; null means this origin's /graphql (proxied by the dashboard server). */
  wsUrl: string | null;
}

export const ConfigContext = createContext<ClientConfig>({ wsUrl: null });

export function ConfigProvider({ value, children }: { value: ClientConfig; children: ReactNode }) {
  return <ConfigContext.Provider value={value}>{children}</ConfigContext.Provider>;
}
