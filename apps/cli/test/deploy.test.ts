/**
 * `offsample deploy` and `serve --lambda-function` as a user runs them: the built CLI in child
 * processes, the real AWS SDK inside it pointed (--endpoint / --lambda-endpoint) at the local
 * server that speaks the Lambda API (test/lambda/local-lambda-server.ts), which unpacks the
 * deployed zip and runs its handler in child processes. Credentials come from the environment,
 * as they would on a user's machine.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateDataset } from '@offsample/model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalLambdaServer, type LocalLambdaServer } from '../../../test/lambda/local-lambda-server.js';
import { createTestDatabase, type TestDatabase } from '../../../test/setup/database.js';
import { startStaticServer, type StaticServer } from '../dist/static-server.js';
import { runCliProcess, startCliProcess, type CliDaemon } from './helpers.js';

const ROLE = 'arn:aws:iam::123456789012:role/offsample-cli-test';
const FUNCTION = 'offsample-cli-deploy-test';

describe('offsample deploy / serve --lambda-function (local Lambda API server)', () => {
  let server: LocalLambdaServer;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    [server, dir] = await Promise.all([startLocalLambdaServer(), mkdtemp(path.join(tmpdir(), 'offsample-cli-deploy-'))]);
    env = {
      AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST',
      AWS_SECRET_ACCESS_KEY: 'local-test-secret',
      AWS_REGION: server.region,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      OFFSAMPLE_API_TOKEN: '',
    };
  });
  afterAll(async () => {
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const deploy = (extra: string[] = []) =>
    runCliProcess(['deploy', '--function-name', FUNCTION, '--role-arn', ROLE, '--memory-mb', '2048', '--timeout-s', '60', '--endpoint', server.url, '--out-dir', path.join(dir, 'out'), ...extra], {
      env,
      timeoutMs: 120_000,
    });

  it('--build-only writes the zip and calls no AWS API', async () => {
    const out = path.join(dir, 'build-only');
    const run = await runCliProcess(['deploy', '--build-only', '--out-dir', out], { env, timeoutMs: 120_000 });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const zip = path.join(out, 'offsample-lambda.zip');
    const size = (await stat(zip)).size;
    const line = run.stdout.match(/^bundle:\s+(\S+) \(([\d.]+) MB zipped, ([\d.]+) MB unzipped, (\d+) files; .*built in ([\d.]+) s\)$/m);
    expect(line?.[1]).toBe(zip);
    expect(Number(line?.[2])).toBeCloseTo(size / 1024 / 1024, 1);
    expect(Number(line?.[4])).toBeGreaterThan(10);
    expect(run.stdout).not.toMatch(/^function:/m);
    expect(server.registry.functions.has(FUNCTION)).toBe(false);
  });

  it('creates the function, then a second deploy of the same bundle is unchanged', async () => {
    const first = await deploy();
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^bundle:\s+\S+offsample-lambda\.zip \(/m);
    expect(first.stdout).toMatch(new RegExp(`^function: created arn:aws:lambda:${server.region}:123456789012:function:${FUNCTION} \\(\\$LATEST; code \\S+; [\\d.]+ s\\)$`, 'm'));
    expect(server.registry.functions.get(FUNCTION)?.settings).toMatchObject({ memoryMb: 2048, timeoutS: 60, handler: 'dist/lambda.handler', role: ROLE });

    const second = await deploy();
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(new RegExp(`^function: unchanged arn:aws:lambda:\\S+:function:${FUNCTION} `, 'm'));
  });

  it('missing or bad flags exit 2 before any work; AWS refusals exit 1 with the message', async () => {
    const noRole = await runCliProcess(['deploy', '--function-name', FUNCTION, '--endpoint', server.url], { env });
    expect(noRole.code).toBe(2);
    expect(noRole.stderr).toContain('--role-arn is required');
    const noName = await runCliProcess(['deploy', '--role-arn', ROLE], { env });
    expect(noName.code).toBe(2);
    expect(noName.stderr).toContain('--function-name is required');
    const badMemory = await runCliProcess(['deploy', '--function-name', FUNCTION, '--role-arn', ROLE, '--memory-mb', '64'], { env });
    expect(badMemory.code).toBe(2);
    expect(badMemory.stderr).toContain('--memory-mb = "64": must be an integer 128..10240');
    // The server refuses requests signed for another region, as Lambda does.
    const refused = await deploy(['--region', 'eu-west-3']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/deploying function offsample-cli-deploy-test failed: \S+/);
  });

  describe('serve --lambda-function --lambda-initialize + submit --backend lambda --wait', () => {
    let tdb: TestDatabase;
    let images: StaticServer;
    let serve: CliDaemon;
    let url: string;

    beforeAll(async () => {
      tdb = await createTestDatabase();
      const { files } = await generateDataset({ count: 8, outDir: path.join(dir, 'images'), seed: 21, maxSizePx: 64 });
      images = await startStaticServer({ root: path.join(dir, 'images') });
      // Lambda task managers cannot read this machine's files: the inputs are URLs.
      await writeFile(path.join(dir, 'urls.txt'), `${files.map((f) => images.urlFor(f.file)).join('\n')}\n`);
      serve = startCliProcess(
        ['serve', '--port', '0', '--no-dashboard', '--lambda-function', FUNCTION, '--lambda-endpoint', server.url, '--lambda-max-task-managers', '2',
          '--lambda-initialize', '--role-arn', ROLE, '--memory-mb', '2048', '--timeout-s', '60', '--out-dir', path.join(dir, 'out')],
        { env: { ...env, DATABASE_URL: tdb.url } },
      );
      url = (await serve.waitFor(/^graphql:\s+(\S+)$/m, 120_000))[1]!;
      await serve.waitFor(/^press Ctrl-C to stop$/m);
    });
    afterAll(async () => {
      expect(await serve?.stop()).toBe(0);
      await images?.close();
      await tdb?.drop();
    });

    it('deploys first (unchanged), then runs the job on the function through Event invocations', async () => {
      expect(serve.stderr()).toMatch(/^function: unchanged arn:aws:lambda:\S+:function:offsample-cli-deploy-test /m);
      expect(serve.stdout()).toMatch(new RegExp(`^lambda:\\s+${FUNCTION} \\(region from AWS_REGION, endpoint ${server.url.replace(/[.]/g, '\\.')}\\)$`, 'm'));
      const before = server.invocations.length;
      const run = await runCliProcess(['submit', 'urls.txt', '--url', url, '--backend', 'lambda', '--split-size', '3', '--task-managers', '2', '--allow-loopback', '--wait', '--quiet'], {
        cwd: dir,
        env,
        timeoutMs: 120_000,
      });
      expect(run.stderr).toMatch(/SUCCEEDED/);
      expect(run.code).toBe(0);
      const invocations = server.invocations.slice(before);
      expect(invocations.length).toBeGreaterThanOrEqual(1);
      expect(invocations.every((i) => i.type === 'Event' && i.functionName === FUNCTION)).toBe(true);
    });
  });
});
