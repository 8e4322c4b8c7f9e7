import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/setup/database.js';
import { parseJsonl, runCliProcess } from './helpers.js';

const DASHBOARD_BUILT = existsSync(new URL('../../dashboard/.next/BUILD_ID', import.meta.url));

describe('offsample demo', () => {
  let dir: string;
  let tdb: TestDatabase;
  // The demo's job goes through its in-process gateway: give it a fresh database on the test server.
  const env = () => ({ DATABASE_URL: tdb.url });
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'offsample-cli-demo-'));
    tdb = await createTestDatabase();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await tdb?.drop();
  });

  it('generates and serves images, submits them plus three bad inputs through GraphQL, then reuses the images', async () => {
    const r = await runCliProcess(['demo', '--count', '40', '--dir', dir], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('generated 40 images');
    expect(r.stderr).toMatch(/^demo: gateway +http:\/\/127\.0\.0\.1:\d+\/graphql \(GraphQL; subscriptions on ws:\/\/127\.0\.0\.1:\d+\/graphql\)$/m);
    expect(r.stderr).toMatch(/^demo: submitted job [0-9a-f-]{36} through GraphQL: 43 inputs on 4 local task managers/m);
    // The progress bar follows jobProgress to the end.
    expect(r.stderr).toMatch(/^demo .*43\/43 100% \| errors 3 \|/m);
    if (DASHBOARD_BUILT) expect(r.stderr).toMatch(/^demo: dashboard http:\/\/127\.0\.0\.1:\d+$/m);
    else expect(r.stderr).toMatch(/^demo: dashboard not started: no production build/m);
    expect(r.stderr).toMatch(/accuracy:\s+[\d.]+% \(\d+\/40 labelled images\)/);
    expect(r.stderr).toMatch(/errors:\s+3/);
    expect(r.stderr).toMatch(/task managers:\s+4/);
    expect(r.stderr).toMatch(/status:\s+SUCCEEDED/);

    const lines = parseJsonl(await readFile(path.join(dir, 'results', 'results.jsonl'), 'utf8'));
    expect(lines).toHaveLength(43);
    expect(lines.map((l) => l.index)).toEqual(lines.map((_, i) => i));
    const codes = lines.flatMap((l) => ((l.error as { code: string } | undefined)?.code ?? []) as string[]).sort();
    expect(codes).toHaveLength(3);
    expect(codes).toContain('NOT_FOUND');
    expect(codes).toContain('NOT_AN_IMAGE');

    const stamp = (await stat(path.join(dir, 'images', 'dataset.json'))).mtimeMs;
    const again = await runCliProcess(['demo', '--count', '40', '--dir', dir, '--no-dashboard'], { env: env() });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('reusing 40 images');
    expect(again.stderr).toMatch(/^demo: dashboard not started \(--no-dashboard\)$/m);
    expect(again.stderr).toMatch(/status:\s+SUCCEEDED/);
    expect((await stat(path.join(dir, 'images', 'dataset.json'))).mtimeMs).toBe(stamp);
  });
});
