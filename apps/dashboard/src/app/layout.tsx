import type { Metadata, Viewport } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { ConfigProvider } from '@/components/ConfigProvider';
import { serverConfig } from '@/lib/server-config';
import './globals.css';

// The gateway address is read per request, never frozen into the build.
export const dynamic = 'force-dynamic';

export const metadata: Metadata = {
  title: { default: 'Off-Sample Orchestrator', template: '%s · Off-Sample' },
  description: 'Watch and browse image classification jobs',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

export default function RootLayout({ children }: { children: ReactNode }) {
  const cfg = serverConfig();
  // With its own server proxying upgrades, the browser stays same-origin (and never sees the token).
  const wsUrl = cfg.proxiesWebSocket ? null : cfg.graphqlWsUrl;
  return (
    <html lang="en">
      <body>
        <header className="topbar">
          <div className="topbar-inner">
            <Link href="/" className="brand">
              <span className="brand-mark" aria-hidden="true" />
              Off-Sample <span className="brand-sub">Orchestrator</span>
            </Link>
            <nav>
              <Link href="/">Jobs</Link>
            </nav>
          </div>
        </header>
        <main className="page">
          <ConfigProvider value={{ wsUrl }}>{children}</ConfigProvider>
        </main>
      </body>
    </html>
  );
}
