/** Defaults of the database layer. */
export const DATABASE_DEFAULTS = Object.freeze({
  /** Database created on the embedded server (the server's own `postgres` database stays empty). */
  embeddedDatabaseName: 'offsample',
  /** Embedded server data directory, relative to the repository root (git-ignored `.data/`). */
  embeddedDataDirFromRepoRoot: '.data/postgres',
  /** Embedded superuser (initdb --username). */
  embeddedUser: 'postgres',
  /** Tries to start the embedded server on a fresh free port: a port picked free can be taken before postgres binds it. */
  embeddedStartAttempts: 3,
  /** pg Pool size shared by Prisma and the raw SQL hot paths: a gateway's claim/heartbeat/complete traffic plus reads;
   * small because every TM call is one short statement or transaction. */
  poolMax: 10,
  /** Fail fast when the server is down instead of hanging a request. */
  connectionTimeoutMs: 10_000,
  /** Idle connections are closed after this long. */
  idleTimeoutMs: 30_000,
  /** pg_advisory_lock key serialising migration runs of concurrent starters ("0ff5a3" + "db"). */
  migrationLockKey: 0x0ff5a3db,
  /** Table recording applied migrations. */
  migrationsTable: '_offsample_migrations',
});
