/**
 * LambdaBackend through the real @aws-sdk/client-lambda against the local Lambda server, with small
 * handlers (the task-runtime bundle is exercised in bundle-deploy.test.ts and orchestrator.test.ts):
 * RequestResponse responses and function errors, timeouts, Event invocations ended by a watchExit
 * hook or by the function's timeout, kill/close, throttling retried by the SDK, option checks.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { compileOrchestratorOptions, LambdaBackend, LambdaError, OrchestratorOptionsError, type TaskManagerExit } from '@offsample/orchestrator-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployFiles, ECHO_HANDLER, lambdaClient, tempDir, type TempDir } from './helpers.js';
import { startLocalLambdaServer, type LocalLambdaServer } from './local-lambda-server.js';

const JOB = '00000000-0000-4000-8000-00000000000a';

describe('LambdaBackend on the local Lambda API', () => {
  let server: LocalLambdaServer;
  let client: LambdaClient;
  let tmp: TempDir;

  beforeAll(async () => {
    [server, tmp] = await Promise.all([startLocalLambdaServer({ maxConcurrency: 3 }), tempDir('lambda-backend-test-')]);
    client = lambdaClient(server);
    await deployFiles(client, 'echo', { 'index.mjs': ECHO_HANDLER }, tmp.dir, { timeoutS: 1, environment: { GREETING: 'hello' } });
  });
  afterAll(async () => {
    client?.destroy();
    await server?.close();
    await tmp?.remove();
  });

  const backendFor = (extra: Partial<ConstructorParameters<typeof LambdaBackend>[0]> = {}) =>
    new LambdaBackend({
      functionName: 'echo',
      region: server.region,
      endpoint: server.url,
      credentials: { accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local-test-secret' },
      ...extra,
    });

  it('static payloads: RequestResponse, the parsed response in exit.response; the environment is reused warm', async () => {
    const backend = backendFor();
    try {
      const a = await backend.start('tm-a', { mode: 'static', jobId: JOB, taskManagerId: 'tm-a' });
      expect(backend.live()).toBe(1);
      const exitA = await a.exited;
      expect(exitA.error).toBeUndefined();
      expect(exitA.code).toBe(0);
      const bodyA = exitA.response as { echo: { taskManagerId: string }; pid: number; remainingMs: number; env: string; calls: number };
      expect(bodyA.echo.taskManagerId).toBe('tm-a');
      expect(bodyA.env).toBe('hello');
      // The function's 1 s timeout, counted down by the context.
      expect(bodyA.remainingMs).toBeGreaterThan(0);
      expect(bodyA.remainingMs).toBeLessThanOrEqual(1_000);
      expect(backend.live()).toBe(0);

      const exitB = await (await backend.start('tm-b', { mode: 'static', jobId: JOB, taskManagerId: 'tm-b' })).exited;
      const bodyB = exitB.response as { pid: number; calls: number };
      expect(bodyB.pid).toBe(bodyA.pid);
      expect(bodyB.calls).toBe(bodyA.calls + 1);
    } finally {
      await backend.close();
    }
  });

  it("static payloads: a handler that throws, times out or exits → exit.error with Lambda's errorType and message", async () => {
    const backend = backendFor();
    try {
      const thrown = await (await backend.start('tm-throw', { mode: 'static', jobId: JOB, action: 'throw', message: 'split 7' })).exited;
      expect(thrown.response).toBeUndefined();
      expect(thrown.error).toBe('function error (TypeError): boom: split 7');

      const slow = await (await backend.start('tm-slow', { mode: 'static', jobId: JOB, action: 'sleep', ms: 5_000 })).exited;
      expect(slow.error).toMatch(/^function error \(Sandbox\.Timedout\): RequestId: [0-9a-f-]+ Error: Task timed out after 1\.00 seconds$/);

      const exited = await (await backend.start('tm-exit', { mode: 'static', jobId: JOB, action: 'exit' })).exited;
      expect(exited.error).toMatch(/Runtime\.ExitError.*exit status 3/);
    } finally {
      await backend.close();
    }
  });

  it('dynamic payloads: Event (202); exited comes from the watchExit hook, with the job and task manager ids', async () => {
    const seen = new Map<string, () => void>();
    const callbacks = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.get((JSON.parse(body) as { taskManagerId: string }).taskManagerId)?.();
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => callbacks.listen(0, '127.0.0.1', resolve));
    const callbackUrl = `http://127.0.0.1:${(callbacks.address() as AddressInfo).port}/done`;
    const watched: { taskManagerId: string; jobId: string | null }[] = [];
    const backend = backendFor({
      watchExit: (taskManagerId, jobId, signal) => {
        watched.push({ taskManagerId, jobId });
        return new Promise<TaskManagerExit>((resolve) => {
          seen.set(taskManagerId, () => resolve({ code: 0, signal: null }));
          signal.addEventListener('abort', () => resolve({ code: null, signal: null, error: 'aborted' }));
        });
      },
    });
    try {
      const before = server.invocations.length;
      const handle = await backend.start('tm-dyn', { mode: 'dynamic', jobId: JOB, taskManagerId: 'tm-dyn', callback: callbackUrl });
      expect(backend.live()).toBe(1);
      expect(await handle.exited).toEqual({ code: 0, signal: null });
      expect(watched).toEqual([{ taskManagerId: 'tm-dyn', jobId: JOB }]);
      expect(backend.live()).toBe(0);
      await server.drain();
      expect(server.invocations.slice(before).map((i) => [i.type, i.ok])).toEqual([['Event', true]]);
    } finally {
      await backend.close();
      await new Promise<void>((resolve) => callbacks.close(() => resolve()));
    }
  });

  it('dynamic payloads without a report: exited at the function timeout + margin; kill() and close() stop waiting', async () => {
    const backend = backendFor({ functionTimeoutMs: 1_000, exitMarginMs: 200 });
    try {
      const quiet = await backend.start('tm-quiet', { mode: 'dynamic', jobId: JOB, taskManagerId: 'tm-quiet' });
      const exit = await quiet.exited;
      expect(exit.error).toBe('no final report within the function timeout + margin (1200 ms)');

      const killed = await backend.start('tm-killed', { mode: 'dynamic', jobId: JOB, taskManagerId: 'tm-killed', action: 'sleep', ms: 500 });
      killed.kill();
      expect((await killed.exited).error).toMatch(/cannot be killed/);

      const open = await backend.start('tm-open', { mode: 'static', jobId: JOB, action: 'sleep', ms: 800 });
      expect(backend.live()).toBe(1);
      await backend.close();
      expect((await open.exited).error).toMatch(/closed/);
      expect(backend.live()).toBe(0);
      await expect(backend.start('tm-late', { mode: 'static' })).rejects.toThrow(/closed/);
    } finally {
      await backend.close();
      await server.drain();
    }
  });

  it('an Event invocation Lambda refuses makes start() reject; the function timeout is read from GetFunctionConfiguration', async () => {
    const missing = backendFor({ functionName: 'no-such-function', maxAttempts: 1 });
    try {
      await expect(missing.start('tm-x', { mode: 'dynamic', jobId: JOB })).rejects.toThrow(/Function not found/);
      const exit = await (await missing.start('tm-y', { mode: 'static', jobId: JOB })).exited;
      expect(exit.error).toMatch(/^invoke failed: ResourceNotFoundException: Function not found/);
    } finally {
      await missing.close();
    }
    // No functionTimeoutMs: the backend asks Lambda (1 s) and adds the margin.
    const asking = backendFor({ exitMarginMs: 0 });
    try {
      const exit = await (await asking.start('tm-z', { mode: 'dynamic', jobId: JOB, taskManagerId: 'tm-z' })).exited;
      expect(exit.error).toBe('no final report within the function timeout + margin (1000 ms)');
    } finally {
      await asking.close();
      await server.drain();
    }
  });

  it('throttling: beyond the reserved concurrency Lambda answers 429 and the SDK retries with back-off', async () => {
    const raw = lambdaClient(server, { maxAttempts: 1 });
    const backend = backendFor({ maxAttempts: 8 });
    try {
      const busy = [1, 2, 3].map((i) => raw.send(new InvokeCommand({ FunctionName: 'echo', Payload: JSON.stringify({ action: 'sleep', ms: 600, i }) })));
      await new Promise((resolve) => setTimeout(resolve, 150));
      // A fourth at once is refused without retries …
      await expect(raw.send(new InvokeCommand({ FunctionName: 'echo', Payload: '{}' }))).rejects.toMatchObject({ name: 'TooManyRequestsException' });
      // … and goes through once a slot frees when the SDK retries.
      const exit = await (await backend.start('tm-retry', { mode: 'static', jobId: JOB })).exited;
      expect(exit.error).toBeUndefined();
      expect((await Promise.all(busy)).map((o) => o.StatusCode)).toEqual([200, 200, 200]);
    } finally {
      raw.destroy();
      await backend.close();
    }
  });

  it('options are checked, naming the field and value', () => {
    expect(() => new LambdaBackend({ functionName: 'bad name!' })).toThrow(LambdaError);
    expect(() => new LambdaBackend({ functionName: 'bad name!' })).toThrow(/functionName must be a Lambda function name .* \(got "bad name!"\)/);
    expect(() => new LambdaBackend({ functionName: 'ok', qualifier: 'no spaces' })).toThrow(/qualifier must be \$LATEST, a version number or an alias name/);
    expect(() => new LambdaBackend({ functionName: 'ok', endpoint: 'ftp://x' })).toThrow(/endpoint must be an http\(s\) URL \(got "ftp:\/\/x"\)/);
    expect(() => new LambdaBackend({ functionName: 'ok', functionTimeoutMs: 5 })).toThrow(/functionTimeoutMs/);
  });

  it("the orchestrator's backends.lambda settings carry region, alias, endpoint and the function timeout", () => {
    const lambda = compileOrchestratorOptions({ backends: { lambda: { functionName: 'tm', region: 'eu-west-1', alias: 'live', endpoint: 'http://127.0.0.1:9001', timeoutS: 120 } } }).backends.lambda;
    expect(lambda).toEqual({ functionName: 'tm', memoryMb: 3_008, maxTaskManagers: 100, region: 'eu-west-1', alias: 'live', endpoint: 'http://127.0.0.1:9001', timeoutS: 120 });
    expect(compileOrchestratorOptions().backends.lambda).toMatchObject({ region: null, alias: null, endpoint: null, timeoutS: 900 });
    expect(() => compileOrchestratorOptions({ backends: { lambda: { region: 'Europe' } } })).toThrow(OrchestratorOptionsError);
    expect(() => compileOrchestratorOptions({ backends: { lambda: { region: 'Europe' } } })).toThrow('orchestrator.backends.lambda.region must be an AWS region like eu-west-1 (got "Europe")');
    expect(() => compileOrchestratorOptions({ backends: { lambda: { alias: '42' } } })).toThrow('orchestrator.backends.lambda.alias must be a Lambda alias name');
    expect(() => compileOrchestratorOptions({ backends: { lambda: { timeoutS: 901 } } })).toThrow('orchestrator.backends.lambda.timeoutS must be an integer from 1 to 900 (got 901)');
  });
});
