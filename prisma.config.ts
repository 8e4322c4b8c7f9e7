// Prisma CLI configuration. The CLI runs through its JS (wasm) engine: the native engines would
// need a download, which this machine cannot do (STACK.md). We use only `prisma generate` and
// `prisma migrate diff ... --script`; neither connects to a database. Migrations are applied by
// packages/orchestrator-core/src/db/migrate.ts, not by `prisma migrate deploy`.
import { defineConfig } from 'prisma/config';
import { PrismaPg } from '@prisma/adapter-pg';

// The schema reads `env("DATABASE_URL")`; when it is unset the CLI cannot read the generator
// config, falls back to the "library" engine and tries to download it. Generation never connects,
// so any well-formed URL will do.
process.env.DATABASE_URL ??= 'postgresql://postgres@127.0.0.1:5432/postgres';
const url = process.env.DATABASE_URL;

export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  // allowExitOnIdle: an idle pooled connection would otherwise keep the CLI alive for 10 s.
  adapter: async () => new PrismaPg({ connectionString: url, allowExitOnIdle: true }),
});
