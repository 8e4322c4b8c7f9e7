/**
 * The runtime bundle, end to end: buildLambdaBundle (esbuild + linux-x64 native packages + model,
 * zipped), deployFunction through the real SDK to the local Lambda server (create, then update and
 * publish an alias), and the deployed zip's handler invoked with a static payload over HTTP images.
 */
import { readFile } from 'node:fs/promises';
import { GetFunctionCommand, InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { startStaticServer, type StaticServer } from '@offsample/cli/static-server';
import { generateDataset } from '@offsample/model';
import { buildLambdaBundle, deployFunction, LambdaErrorCode, type LambdaBundle } from '@offsample/orchestrator-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaClient, TEST_ROLE_ARN, tempDir, type TempDir } from './helpers.js';
import { startLocalLambdaServer, type LocalLambdaServer } from './local-lambda-server.js';
import { readZip } from './local-lambda/unzip.js';

const FUNCTION = 'offsample-bundle-test';

describe('Lambda runtime bundle: build, deploy, invoke', () => {
  let server: LocalLambdaServer;
  let client: LambdaClient;
  let tmp: TempDir;
  let images: StaticServer;
  let files: string[];
  let bundle: LambdaBundle;

  beforeAll(async () => {
    [server, tmp] = await Promise.all([startLocalLambdaServer(), tempDir('lambda-bundle-test-')]);
    client = lambdaClient(server);
    files = (await generateDataset({ count: 6, outDir: `${tmp.dir}/images`, seed: 5, minSizePx: 32, maxSizePx: 64 })).files.map((f) => f.file);
    images = await startStaticServer({ root: `${tmp.dir}/images` });
    bundle = await buildLambdaBundle({ outDir: `${tmp.dir}/out` });
    console.info(`bundle: ${bundle.bytes} bytes zipped, ${bundle.uncompressedBytes} unzipped, ${bundle.files} files, dist/lambda.mjs ${bundle.bundleJsBytes} bytes, built in ${bundle.buildMs} ms`);
  });
  afterAll(async () => {
    client?.destroy();
    await server?.close();
    await images?.close();
    await tmp?.remove();
  });

  const staticPayload = (taskManagerId: string) => ({
    version: 1,
    mode: 'static',
    jobId: '00000000-0000-4000-8000-0000000000b1',
    taskManagerId,
    config: { load: { allowLoopback: true } },
    split: { splitId: '00000000-0000-4000-8000-0000000000b2', items: files.map((f, index) => ({ index, input: images.urlFor(f) })) },
  });

  it('holds the bundle, the model and onnxruntime-node + sharp with their linux-x64 binaries only', async () => {
    const names = readZip(await readFile(bundle.zipPath), 300 * 1024 * 1024).map((e) => e.name);
    expect(names).toContain('dist/lambda.mjs');
    expect(names).toEqual(expect.arrayContaining(['model/manifest.json', 'model/model.onnx']));
    expect(names).toEqual(
      expect.arrayContaining([
        'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node',
        'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1',
        'node_modules/onnxruntime-node/dist/index.js',
        'node_modules/onnxruntime-common/package.json',
        'node_modules/sharp/package.json',
        'node_modules/@img/sharp-linux-x64/package.json',
        'node_modules/@img/sharp-libvips-linux-x64/package.json',
      ]),
    );
    expect(names.some((n) => n.startsWith('node_modules/@img/sharp-linux-x64/lib/') && n.endsWith('.node'))).toBe(true);
    expect(names.some((n) => n.startsWith('node_modules/@img/sharp-libvips-linux-x64/lib/libvips-cpp.so'))).toBe(true);
    // Nothing for other platforms, no sources, no type declarations, no install-only packages.
    expect(names.filter((n) => /darwin|win32|arm64|musl|wasm/.test(n))).toEqual([]);
    expect(names.filter((n) => /\.d\.[cm]?ts$|\.map$|\/src\//.test(n))).toEqual([]);
    expect(names.filter((n) => /node_modules\/(adm-zip|global-agent|esbuild|@aws-sdk|zod)\//.test(n))).toEqual([]);
    expect(bundle.packages).toEqual(['@img/colour', '@img/sharp-libvips-linux-x64', '@img/sharp-linux-x64', 'detect-libc', 'onnxruntime-common', 'onnxruntime-node', 'semver', 'sharp']);
    expect(bundle.bytes).toBeLessThan(50 * 1024 * 1024);
    expect(bundle.uncompressedBytes).toBeLessThan(250 * 1024 * 1024);
  });

  it('deploys it (create), and the deployed handler classifies a static split', async () => {
    const created = await deployFunction({ client, functionName: FUNCTION, roleArn: TEST_ROLE_ARN, zipPath: bundle.zipPath, memoryMb: 2_048, timeoutS: 60 });
    expect(created).toMatchObject({ functionName: FUNCTION, action: 'created', codeSha256: bundle.codeSha256, codeSize: bundle.bytes, version: null });
    const fn = await client.send(new GetFunctionCommand({ FunctionName: FUNCTION }));
    expect(fn.Configuration).toMatchObject({ State: 'Active', LastUpdateStatus: 'Successful', Handler: 'dist/lambda.handler', Runtime: 'nodejs20.x', MemorySize: 2_048, Timeout: 60 });

    const invoke = async (taskManagerId: string) => {
      const started = performance.now();
      const out = await client.send(new InvokeCommand({ FunctionName: FUNCTION, Payload: JSON.stringify(staticPayload(taskManagerId)) }));
      const ms = Math.round(performance.now() - started);
      expect(out.FunctionError).toBeUndefined();
      return { ms, body: JSON.parse(Buffer.from(out.Payload!).toString('utf8')) as { outcomes: { index: number; label: string | null; errorCode: string | null }[]; report: { coldStart: boolean; modelLoadMs: number; items: number } } };
    };
    const cold = await invoke('tm-cold');
    expect(cold.body.outcomes.map((o) => o.index)).toEqual(files.map((_, i) => i));
    for (const o of cold.body.outcomes) {
      expect(o.errorCode).toBeNull();
      expect(['on-sample', 'off-sample']).toContain(o.label);
    }
    expect(cold.body.report).toMatchObject({ coldStart: true, items: files.length });
    const warm = await invoke('tm-warm');
    expect(warm.body.report).toMatchObject({ coldStart: false, modelLoadMs: 0, items: files.length });
    expect(warm.body.outcomes.map((o) => o.label)).toEqual(cold.body.outcomes.map((o) => o.label));
    const lastTwo = server.invocations.slice(-2);
    expect(lastTwo.map((i) => i.coldStart)).toEqual([true, false]);
    expect(lastTwo[0]!.pid).toBe(lastTwo[1]!.pid);
    console.info(`invoke (${files.length} images): cold ${cold.ms} ms, warm ${warm.ms} ms`);
  });

  it('deploys again: unchanged code is left alone; new code and settings are updated and published under an alias', async () => {
    const again = await deployFunction({ client, functionName: FUNCTION, roleArn: TEST_ROLE_ARN, zipPath: bundle.zipPath, memoryMb: 2_048, timeoutS: 60 });
    expect(again.action).toBe('unchanged');

    const second = await buildLambdaBundle({ outDir: `${tmp.dir}/out2`, compressionLevel: 1, extraFiles: { 'BUILD.txt': 'second build\n' } });
    expect(second.codeSha256).not.toBe(bundle.codeSha256);
    const updated = await deployFunction({
      client,
      functionName: FUNCTION,
      roleArn: TEST_ROLE_ARN,
      zipPath: second.zipPath,
      memoryMb: 3_008,
      timeoutS: 90,
      environment: { OFFSAMPLE_TM_LOG: 'info' },
      alias: 'live',
    });
    expect(updated).toMatchObject({ action: 'updated', codeSha256: second.codeSha256, version: '1' });
    expect(updated.aliasArn).toMatch(/:function:offsample-bundle-test:live$/);
    const fn = await client.send(new GetFunctionCommand({ FunctionName: FUNCTION, Qualifier: 'live' }));
    expect(fn.Configuration).toMatchObject({ Version: '1', CodeSha256: second.codeSha256, MemorySize: 3_008, Timeout: 90, Environment: { Variables: { OFFSAMPLE_TM_LOG: 'info' } } });

    // The alias runs the new code in a fresh environment (the warm one had the old code).
    const out = await client.send(new InvokeCommand({ FunctionName: FUNCTION, Qualifier: 'live', Payload: JSON.stringify(staticPayload('tm-live')) }));
    expect(out.FunctionError).toBeUndefined();
    expect(out.ExecutedVersion).toBe('1');
    const body = JSON.parse(Buffer.from(out.Payload!).toString('utf8')) as { outcomes: unknown[]; report: { coldStart: boolean } };
    expect(body.outcomes).toHaveLength(files.length);
    expect(body.report.coldStart).toBe(true);
  });

  it('refuses a broken zip (Lambda cannot unzip it) with DEPLOY_FAILED, and a missing model or bad options before any call', async () => {
    const broken = `${tmp.dir}/broken.zip`;
    await import('node:fs/promises').then((fs) => fs.writeFile(broken, 'this is not a zip'));
    await expect(deployFunction({ client, functionName: 'broken-fn', roleArn: TEST_ROLE_ARN, zipPath: broken })).rejects.toMatchObject({
      code: LambdaErrorCode.DEPLOY_FAILED,
      message: expect.stringMatching(/CreateFunction of broken-fn failed: InvalidParameterValueException: Could not unzip uploaded file/),
    });
    await expect(buildLambdaBundle({ outDir: `${tmp.dir}/out3`, modelDir: `${tmp.dir}/no-model` })).rejects.toMatchObject({
      code: LambdaErrorCode.BUNDLE_FAILED,
      message: expect.stringMatching(/no-model cannot be shipped: .*manifest/),
    });
    await expect(deployFunction({ client, functionName: FUNCTION, roleArn: 'not-a-role', zipPath: bundle.zipPath })).rejects.toMatchObject({
      code: LambdaErrorCode.INVALID_OPTIONS,
      message: expect.stringMatching(/roleArn must be an IAM role ARN .*\(got "not-a-role"\)/),
    });
  });
});
