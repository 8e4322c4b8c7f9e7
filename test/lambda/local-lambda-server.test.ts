/**
 * The local Lambda server itself answers like Lambda where the other tests rely on it: request
 * checks (signature header, region, JSON payload, payload size), states seen by the SDK's waiters,
 * conflicts during an update, Event retries per the event-invoke config, DryRun. And the project's
 * zip writer is deterministic and reads back through the server's independent unzip.
 */
import { readFile } from 'node:fs/promises';
import { CreateFunctionCommand, GetFunctionCommand, InvokeCommand, LambdaClient, PutFunctionEventInvokeConfigCommand, UpdateFunctionCodeCommand, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { deployFunction, writeZip } from '@offsample/orchestrator-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ECHO_HANDLER, lambdaClient, TEST_ROLE_ARN, tempDir, zipOfFiles, type TempDir } from './helpers.js';
import { startLocalLambdaServer, type LocalLambdaServer } from './local-lambda-server.js';
import { readZip } from './local-lambda/unzip.js';

describe('local Lambda API server', () => {
  let server: LocalLambdaServer;
  let client: LambdaClient;
  let tmp: TempDir;
  let zip: Buffer;

  beforeAll(async () => {
    [server, tmp] = await Promise.all([startLocalLambdaServer({ unpackDelayMs: 300, eventRetryDelayMs: 50 }), tempDir('local-lambda-test-')]);
    client = lambdaClient(server, { maxAttempts: 1 });
    zip = await readFile(await zipOfFiles({ 'index.mjs': ECHO_HANDLER }, `${tmp.dir}/echo.zip`));
  });
  afterAll(async () => {
    client?.destroy();
    await server?.close();
    await tmp?.remove();
  });

  const create = (name: string) => client.send(new CreateFunctionCommand({ FunctionName: name, Role: TEST_ROLE_ARN, Runtime: 'nodejs20.x', Handler: 'index.handler', Code: { ZipFile: zip } }));
  const settle = () => new Promise((resolve) => setTimeout(resolve, 400));

  it('goes Pending → Active after CreateFunction and refuses a second update while one is in progress', async () => {
    const created = await create('states');
    expect(created).toMatchObject({ State: 'Pending', Timeout: 3, MemorySize: 128 });
    await expect(client.send(new InvokeCommand({ FunctionName: 'states', Payload: '{}' }))).rejects.toMatchObject({ name: 'ResourceConflictException' });
    await expect(create('states')).rejects.toMatchObject({ name: 'ResourceConflictException', message: 'Function already exist: states' });
    await settle();
    expect((await client.send(new GetFunctionCommand({ FunctionName: 'states' }))).Configuration).toMatchObject({ State: 'Active', LastUpdateStatus: 'Successful' });

    const update = await client.send(new UpdateFunctionCodeCommand({ FunctionName: 'states', ZipFile: zip }));
    expect(update.LastUpdateStatus).toBe('InProgress');
    await expect(client.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'states', Timeout: 5 }))).rejects.toMatchObject({ name: 'ResourceConflictException', message: expect.stringMatching(/An update is in progress/) });
    // Meanwhile invocations run the code that was active.
    const out = await client.send(new InvokeCommand({ FunctionName: 'states', Payload: '{"n":1}' }));
    expect(JSON.parse(Buffer.from(out.Payload!).toString())).toMatchObject({ echo: { n: 1 } });
    await settle();
    await client.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'states', Timeout: 5 }));
    expect((await client.send(new GetFunctionCommand({ FunctionName: 'states' }))).Configuration?.Timeout).toBe(5);
  });

  it('deployFunction waits out an update in progress instead of failing on the conflict', async () => {
    await client.send(new UpdateFunctionCodeCommand({ FunctionName: 'states', ZipFile: zip }));
    const deployed = await deployFunction({ client, functionName: 'states', roleArn: TEST_ROLE_ARN, zipPath: `${tmp.dir}/echo.zip`, handler: 'index.handler', timeoutS: 7 });
    expect(deployed.action).toBe('updated');
    expect((await client.send(new GetFunctionCommand({ FunctionName: 'states' }))).Configuration).toMatchObject({ Timeout: 7, LastUpdateStatus: 'Successful' });
  });

  it("checks requests as Lambda does: signature header, region, JSON, payload size, fields; DryRun", async () => {
    const unsigned = await fetch(`${server.url}/2015-03-31/functions/states/invocations`, { method: 'POST', body: '{}' });
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');

    const otherRegion = new LambdaClient({ region: 'eu-west-1', endpoint: server.url, credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
    try {
      await expect(otherRegion.send(new InvokeCommand({ FunctionName: 'states', Payload: '{}' }))).rejects.toMatchObject({ name: 'InvalidSignatureException', message: expect.stringMatching(/scoped to a valid region/) });
    } finally {
      otherRegion.destroy();
    }
    await expect(client.send(new InvokeCommand({ FunctionName: 'states', Payload: 'not json' }))).rejects.toMatchObject({ name: 'InvalidRequestContentException' });
    await expect(client.send(new InvokeCommand({ FunctionName: 'states', InvocationType: 'Event', Payload: JSON.stringify({ pad: 'x'.repeat(300 * 1024) }) }))).rejects.toMatchObject({ name: 'RequestEntityTooLargeException' });
    await expect(client.send(new InvokeCommand({ FunctionName: 'nope', Payload: '{}' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException', message: expect.stringMatching(/Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope/) });
    await expect(client.send(new CreateFunctionCommand({ FunctionName: 'bad-role', Role: 'admin', Runtime: 'nodejs20.x', Handler: 'index.handler', Code: { ZipFile: zip } }))).rejects.toMatchObject({ name: 'ValidationException', message: expect.stringMatching(/at 'role' failed to satisfy constraint/) });
    await expect(client.send(new CreateFunctionCommand({ FunctionName: 'py', Role: TEST_ROLE_ARN, Runtime: 'python3.12', Handler: 'index.handler', Code: { ZipFile: zip } }))).rejects.toMatchObject({ name: 'InvalidParameterValueException' });
    await expect(client.send(new CreateFunctionCommand({ FunctionName: 'env', Role: TEST_ROLE_ARN, Runtime: 'nodejs20.x', Handler: 'index.handler', Code: { ZipFile: zip }, Environment: { Variables: { AWS_REGION: 'x' } } }))).rejects.toMatchObject({ name: 'InvalidParameterValueException', message: expect.stringMatching(/reserved keys .* AWS_REGION/) });
    const dry = await client.send(new InvokeCommand({ FunctionName: 'states', InvocationType: 'DryRun' }));
    expect(dry.StatusCode).toBe(204);
  });

  it('retries a failed Event invocation per the event-invoke config (default 2 retries; none once set to 0)', async () => {
    await create('events');
    await settle();
    const before = server.invocations.length;
    const event = JSON.stringify({ action: 'throw', message: 'event' });
    expect((await client.send(new InvokeCommand({ FunctionName: 'events', InvocationType: 'Event', Payload: event }))).StatusCode).toBe(202);
    await server.drain();
    expect(server.invocations.slice(before).map((i) => [i.attempt, i.ok, i.errorType])).toEqual([
      [1, false, 'TypeError'],
      [2, false, 'TypeError'],
      [3, false, 'TypeError'],
    ]);
    await client.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'events', MaximumRetryAttempts: 0 }));
    const middle = server.invocations.length;
    await client.send(new InvokeCommand({ FunctionName: 'events', InvocationType: 'Event', Payload: event }));
    await server.drain();
    expect(server.invocations.slice(middle).map((i) => i.attempt)).toEqual([1]);
  });

  it("zip writer: the same entries give the same bytes; the server's own unzip reads them back", async () => {
    const entries = () => [
      { name: 'a.txt', data: Buffer.from('hello '.repeat(100)) },
      { name: 'dir/b.bin', data: Buffer.from([0, 1, 2, 3, 255]) },
      { name: 'run.sh', data: Buffer.from('#!/bin/sh\n'), mode: 0o755 },
      { name: 'empty', data: Buffer.alloc(0) },
    ];
    const one = await writeZip(entries(), `${tmp.dir}/one.zip`);
    await writeZip(entries(), `${tmp.dir}/two.zip`);
    const [a, b] = await Promise.all([readFile(`${tmp.dir}/one.zip`), readFile(`${tmp.dir}/two.zip`)]);
    expect(a.equals(b)).toBe(true);
    expect(one).toEqual({ bytes: a.length, entries: 4, uncompressedBytes: 600 + 5 + 10 });
    const back = readZip(a, 1_000_000);
    expect(back.map((e) => [e.name, e.data.toString('hex'), e.mode])).toEqual(entries().map((e) => [e.name, e.data.toString('hex'), e.mode ?? 0o644]));
    await expect(writeZip([{ name: '../evil', data: Buffer.alloc(1) }], `${tmp.dir}/bad.zip`)).rejects.toThrow(/bad entry name/);
    await expect(writeZip([{ name: 'x', data: Buffer.alloc(1) }, { name: 'x', data: Buffer.alloc(1) }], `${tmp.dir}/dup.zip`)).rejects.toThrow(/given twice/);
  });
});
