import { defineConfig } from 'vitest/config';

// Tests import the built packages (dist/), so `npm test` builds first; child processes forked by
// the tests run that same built code.
export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    // One PostgreSQL server per run (DATABASE_URL, else embedded); each test file makes its own
    // database on it with createTestDatabase() from test/setup/database.ts.
    globalSetup: ['test/setup/postgres-global.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
