/** Test databases are named `test_os_<epoch seconds>_<random>` so stale ones can be recognised. */
export const TEST_DATABASE_PREFIX = 'test_os_';
/** A test database this old is left over from a crashed run (no test file runs for hours). */
export const STALE_TEST_DATABASE_MS = 6 * 60 * 60 * 1000;

// What the globalSetup (postgres-global.ts) provides to test files through inject().
declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the test PostgreSQL server (any database on it); see createTestDatabase(). */
    postgresServerUrl: string;
  }
}
