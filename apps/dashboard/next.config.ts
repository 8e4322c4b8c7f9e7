import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

const here = path.dirname(fileURLToPath(import.meta.url));

// The gateway URL is read at request time by the /graphql route handler (src/app/graphql/route.ts),
// not baked in here: rewrites are frozen at build time, and one build must serve any gateway.
const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The monorepo root holds the lock file and node_modules.
  turbopack: { root: path.join(here, '..', '..') },
  outputFileTracingRoot: path.join(here, '..', '..'),
};

export default config;
