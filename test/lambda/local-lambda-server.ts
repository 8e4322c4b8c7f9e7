/**
 * A local server speaking the Lambda HTTP API, so tests run the real `@aws-sdk/client-lambda`
 * (AWS cannot be reached from here). Real HTTP on 127.0.0.1:
 *
 *   POST /2015-03-31/functions                          CreateFunction (Code.ZipFile, base64)
 *   GET  /2015-03-31/functions/{name}[?Qualifier]        GetFunction (State, LastUpdateStatus for the waiters)
 *   GET  /2015-03-31/functions/{name}/configuration      GetFunctionConfiguration
 *   PUT  /2015-03-31/functions/{name}/code               UpdateFunctionCode
 *   PUT  /2015-03-31/functions/{name}/configuration      UpdateFunctionConfiguration
 *   POST /2015-03-31/functions/{name}/versions           PublishVersion
 *   POST /2015-03-31/functions/{name}/aliases            CreateAlias;  GET / PUT …/aliases/{alias}
 *   PUT  /2019-09-25/functions/{name}/event-invoke-config  PutFunctionEventInvokeConfig
 *   POST /2015-03-31/functions/{name}/invocations        Invoke: RequestResponse (the handler's JSON;
 *        `X-Amz-Function-Error: Unhandled` + Lambda's error body when it fails or times out), Event
 *        (202, queued, retried per the event-invoke config), DryRun (204)
 *   DELETE /2015-03-31/functions/{name}                  DeleteFunction
 *
 * Deployed zips are unpacked into a temp folder and their handler runs in child processes
 * (./local-lambda/sandboxes.ts) with a context whose getRemainingTimeInMillis counts down to the
 * function's timeout. Beyond `maxConcurrency` running invocations of a function, RequestResponse
 * gets 429 TooManyRequestsException and Event invocations wait in the queue, as on Lambda.
 * SigV4 signatures are not verified, but the Authorization header must be there and well-formed.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiError, FunctionRegistry, lambdaDate, type LambdaFunction, type Resolved } from './local-lambda/functions.js';
import { checkAuthorization, newFunctionSettings, settingsFrom, zipFrom } from './local-lambda/requests.js';
import { SandboxPool, type InvokeOutcome } from './local-lambda/sandboxes.js';

export interface LocalLambdaServerOptions {
  host?: string;
  port?: number;
  region?: string;
  accountId?: string;
  /** Running invocations per function (reserved concurrency). Default 10. */
  maxConcurrency?: number;
  /** Warm environments are retired after this long unused. Default 60 s. */
  idleTtlMs?: number;
  /** Time Lambda "takes" to prepare uploaded code (State Pending / InProgress). Default 100 ms. */
  unpackDelayMs?: number;
  /** Delay before Lambda retries a failed Event invocation (Lambda: 1 then 2 minutes). Default 200 ms. */
  eventRetryDelayMs?: number;
  /** Print what the handlers print (default: $LOCAL_LAMBDA_LOG === '1'). */
  echoLogs?: boolean;
}

export interface InvocationRecord {
  requestId: string;
  functionName: string;
  version: string;
  type: 'RequestResponse' | 'Event';
  /** 1 for the first try of an Event invocation, 2–3 for Lambda's retries. */
  attempt: number;
  /** null while running. */
  ok: boolean | null;
  errorType: string | null;
  coldStart: boolean | null;
  pid: number | null;
  durationMs: number | null;
}

export interface LocalLambdaServer {
  readonly url: string;
  readonly region: string;
  readonly invocations: readonly InvocationRecord[];
  readonly registry: FunctionRegistry;
  /** Child processes alive (busy or warm). */
  environments(): number;
  /** Resolves once no Event invocation is queued or running. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

const MAX_REQUEST_BYTES = 70 * 1024 * 1024; // a 50 MB zip in base64 JSON
const MAX_DIRECT_ZIP_BYTES = 50 * 1024 * 1024;
const MAX_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;
const MAX_EVENT_PAYLOAD_BYTES = 256 * 1024;

export async function startLocalLambdaServer(options: LocalLambdaServerOptions = {}): Promise<LocalLambdaServer> {
  const region = options.region ?? 'us-east-1';
  const maxConcurrency = options.maxConcurrency ?? 10;
  const workDir = await mkdtemp(path.join(tmpdir(), 'local-lambda-'));
  const registry = new FunctionRegistry(workDir, region, options.accountId ?? '123456789012', options.unpackDelayMs ?? 100);
  const pool = new SandboxPool({ idleTtlMs: options.idleTtlMs ?? 60_000, region, echo: options.echoLogs ?? process.env.LOCAL_LAMBDA_LOG === '1' });
  const invocations: InvocationRecord[] = [];
  const running = new Map<string, number>();
  const waiting = new Map<string, (() => void)[]>();
  const background = new Set<Promise<void>>();
  let closing = false;

  const slotFree = (name: string) => (running.get(name) ?? 0) < maxConcurrency;
  const takeSlot = (name: string) => running.set(name, (running.get(name) ?? 0) + 1);
  const releaseSlot = (name: string) => {
    running.set(name, (running.get(name) ?? 1) - 1);
    waiting.get(name)?.shift()?.();
  };
  const waitForSlot = async (name: string) => {
    while (!slotFree(name)) await new Promise<void>((resolve) => waiting.set(name, [...(waiting.get(name) ?? []), resolve]));
    takeSlot(name);
  };

  const run = async (target: Resolved, event: string, type: InvocationRecord['type'], attempt: number, requestId: string): Promise<InvokeOutcome> => {
    const record: InvocationRecord = { requestId, functionName: target.fn.name, version: target.version, type, attempt, ok: null, errorType: null, coldStart: null, pid: null, durationMs: null };
    invocations.push(record);
    const code = target.code!;
    const s = target.settings;
    const key = `${target.fn.name}|${target.version}|${code.codeSha256}|${target.version === '$LATEST' ? target.fn.configRevision : 'v'}`;
    try {
      const outcome = await pool.invoke(
        { key, codeDir: code.dir, handler: s.handler, env: s.env, timeoutS: s.timeoutS, memoryMb: s.memoryMb, functionName: target.fn.name, version: target.version, invokedArn: target.arn },
        event,
        requestId,
      );
      Object.assign(record, { ok: outcome.ok, errorType: outcome.errorType ?? null, coldStart: outcome.coldStart, pid: outcome.pid, durationMs: outcome.durationMs });
      return outcome;
    } catch (err) {
      Object.assign(record, { ok: false, errorType: 'ServiceException' });
      throw err;
    }
  };

  const invokeEvent = async (target: Resolved, event: string, requestId: string): Promise<void> => {
    const config = target.fn.eventConfig.get(target.version === '$LATEST' ? '$LATEST' : target.arn.split(':').pop()!) ?? target.fn.eventConfig.get('$LATEST');
    const retries = config?.maximumRetryAttempts ?? 2;
    for (let attempt = 1; attempt <= retries + 1 && !closing; attempt++) {
      if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, options.eventRetryDelayMs ?? 200));
      await waitForSlot(target.fn.name);
      try {
        if ((await run(target, event, 'Event', attempt, requestId)).ok) return;
      } catch {
        return; // the server is closing
      } finally {
        releaseSlot(target.fn.name);
      }
    }
  };

  const invoke = async (req: http.IncomingMessage, res: http.ServerResponse, name: string, query: URLSearchParams): Promise<void> => {
    const target = registry.resolve(name, query.get('Qualifier') ?? undefined);
    if (target.code === null) {
      throw new ApiError(409, 'ResourceConflictException', `The operation cannot be performed at this time. The function is currently in the following state: ${target.fn.state}`);
    }
    const type = String(req.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    if (!['RequestResponse', 'Event', 'DryRun'].includes(type)) throw new ApiError(400, 'InvalidParameterValueException', `Unsupported invocation type ${type}`);
    const logType = String(req.headers['x-amz-log-type'] ?? 'None');
    if (!['None', 'Tail'].includes(logType)) throw new ApiError(400, 'InvalidParameterValueException', `Unsupported log type ${logType}`);
    const body = await readBody(req, type === 'Event' ? MAX_EVENT_PAYLOAD_BYTES : MAX_SYNC_PAYLOAD_BYTES);
    const event = body.length === 0 ? '{}' : body.toString('utf8');
    try {
      JSON.parse(event);
    } catch (err) {
      throw new ApiError(400, 'InvalidRequestContentException', `Could not parse request body into json: ${(err as Error).message}`);
    }
    const requestId = randomUUID();
    const headers = { 'x-amzn-requestid': requestId, 'x-amz-executed-version': target.version };
    if (type === 'DryRun') return send(res, 204, headers);
    if (type === 'Event') {
      const work = invokeEvent(target, event, requestId);
      background.add(work);
      void work.finally(() => background.delete(work));
      return send(res, 202, headers);
    }
    if (!slotFree(target.fn.name)) {
      throw new ApiError(429, 'TooManyRequestsException', 'Rate Exceeded.', { Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' });
    }
    takeSlot(target.fn.name);
    let outcome: InvokeOutcome;
    try {
      outcome = await run(target, event, 'RequestResponse', 1, requestId);
    } finally {
      releaseSlot(target.fn.name);
    }
    let payload = outcome.payload;
    let ok = outcome.ok;
    if (Buffer.byteLength(payload) > MAX_SYNC_PAYLOAD_BYTES) {
      payload = JSON.stringify({ errorType: 'Function.ResponseSizeTooLarge', errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_SYNC_PAYLOAD_BYTES} bytes).` });
      ok = false;
    }
    send(res, 200, {
      ...headers,
      'content-type': 'application/json',
      ...(ok ? {} : { 'x-amz-function-error': 'Unhandled' }),
      ...(logType === 'Tail' ? { 'x-amz-log-result': Buffer.from(outcome.logTail).toString('base64') } : {}),
    }, payload);
  };

  const route = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    checkAuthorization(req, region);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const parts = url.pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
    const [api, collection, name, sub, subName] = parts;
    const method = req.method ?? 'GET';
    if (collection !== 'functions' || parts.length > 5) throw new ApiError(404, 'UnknownOperationException', `Unknown operation ${method} ${url.pathname}`);
    const qualifier = url.searchParams.get('Qualifier') ?? undefined;

    if (api === '2015-03-31' && name === undefined && method === 'POST') {
      const body = await readJson(req);
      const settings = newFunctionSettings(body);
      const fnName = String(body.FunctionName);
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(fnName)) throw new ApiError(400, 'ValidationException', `1 validation error detected: Value '${fnName}' at 'functionName' failed to satisfy constraint`);
      const fn = registry.create(fnName, settings, zipFrom(body.Code, MAX_DIRECT_ZIP_BYTES));
      return sendJson(res, 201, configuration(fn));
    }
    if (name === undefined) throw new ApiError(404, 'UnknownOperationException', `Unknown operation ${method} ${url.pathname}`);
    if (api === '2015-03-31' && sub === 'invocations' && method === 'POST') return invoke(req, res, name, url.searchParams);
    if (api === '2015-03-31' && sub === undefined && method === 'GET') {
      const target = registry.resolve(name, qualifier);
      return sendJson(res, 200, { Configuration: configuration(target.fn, target), Code: { RepositoryType: 'S3', Location: `http://${req.headers.host}/code/${target.fn.name}` }, Tags: {} });
    }
    if (api === '2015-03-31' && sub === undefined && method === 'DELETE') {
      const { fn } = registry.get(name);
      registry.functions.delete(fn.name);
      pool.retireIdle(`${fn.name}|`);
      return send(res, 204, {});
    }
    if (api === '2015-03-31' && sub === 'configuration' && method === 'GET') {
      const target = registry.resolve(name, qualifier);
      return sendJson(res, 200, configuration(target.fn, target));
    }
    if (api === '2015-03-31' && sub === 'code' && method === 'PUT') {
      const { fn } = registry.get(name);
      const body = await readJson(req);
      settingsFrom({ Architectures: body.Architectures });
      registry.updateCode(fn, zipFrom(body, MAX_DIRECT_ZIP_BYTES));
      pool.retireIdle(`${fn.name}|$LATEST|`);
      return sendJson(res, 200, configuration(fn));
    }
    if (api === '2015-03-31' && sub === 'configuration' && method === 'PUT') {
      const { fn } = registry.get(name);
      registry.updateConfiguration(fn, settingsFrom(await readJson(req)));
      pool.retireIdle(`${fn.name}|$LATEST|`);
      return sendJson(res, 200, configuration(fn));
    }
    if (api === '2015-03-31' && sub === 'versions' && method === 'POST') {
      const { fn } = registry.get(name);
      const body = await readJson(req);
      const version = registry.publish(fn, typeof body.CodeSha256 === 'string' ? body.CodeSha256 : undefined);
      return sendJson(res, 201, configuration(fn, registry.resolve(fn.name, version)));
    }
    if (api === '2015-03-31' && sub === 'aliases') return aliases(req, res, name, subName, method);
    if (api === '2019-09-25' && sub === 'event-invoke-config' && method === 'PUT') {
      const { fn } = registry.get(name);
      const body = await readJson(req);
      const retries = body.MaximumRetryAttempts ?? 2;
      const age = body.MaximumEventAgeInSeconds ?? 21_600;
      if (typeof retries !== 'number' || !Number.isInteger(retries) || retries < 0 || retries > 2) throw new ApiError(400, 'ValidationException', `1 validation error detected: Value '${String(retries)}' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 2`);
      if (typeof age !== 'number' || !Number.isInteger(age) || age < 60 || age > 21_600) throw new ApiError(400, 'ValidationException', `1 validation error detected: Value '${String(age)}' at 'maximumEventAgeInSeconds' failed to satisfy constraint`);
      const target = registry.resolve(fn.name, qualifier);
      fn.eventConfig.set(qualifier ?? '$LATEST', { maximumRetryAttempts: retries, maximumEventAgeS: age });
      return sendJson(res, 200, { FunctionArn: target.arn, MaximumRetryAttempts: retries, MaximumEventAgeInSeconds: age, LastModified: Date.now() / 1000 });
    }
    throw new ApiError(404, 'UnknownOperationException', `Unknown operation ${method} ${url.pathname}`);
  };

  const aliases = async (req: http.IncomingMessage, res: http.ServerResponse, name: string, aliasName: string | undefined, method: string): Promise<void> => {
    const { fn } = registry.get(name);
    const view = (n: string) => {
      const a = fn.aliases.get(n)!;
      return { AliasArn: registry.arnOf(fn.name, n), Name: n, FunctionVersion: a.version, Description: a.description, RevisionId: a.revisionId };
    };
    const checkVersion = (v: unknown): string => {
      if (typeof v !== 'string' || (v !== '$LATEST' && !fn.versions.has(v))) throw new ApiError(404, 'ResourceNotFoundException', `Function not found: ${registry.arnOf(fn.name, String(v))}`);
      return v;
    };
    if (aliasName === undefined && method === 'POST') {
      const body = await readJson(req);
      const n = String(body.Name ?? '');
      if (!/^(?!\d+$)[a-zA-Z0-9_-]{1,128}$/.test(n)) throw new ApiError(400, 'ValidationException', `1 validation error detected: Value '${n}' at 'name' failed to satisfy constraint`);
      if (fn.aliases.has(n)) throw new ApiError(409, 'ResourceConflictException', `Alias already exists: ${registry.arnOf(fn.name, n)}`);
      fn.aliases.set(n, { version: checkVersion(body.FunctionVersion), revisionId: randomUUID(), description: String(body.Description ?? '') });
      return sendJson(res, 201, view(n));
    }
    if (aliasName === undefined) throw new ApiError(404, 'UnknownOperationException', `Unknown operation ${method} aliases`);
    if (!fn.aliases.has(aliasName)) throw new ApiError(404, 'ResourceNotFoundException', `Alias not found: ${registry.arnOf(fn.name, aliasName)}`);
    if (method === 'GET') return sendJson(res, 200, view(aliasName));
    if (method === 'PUT') {
      const body = await readJson(req);
      const alias = fn.aliases.get(aliasName)!;
      if (body.FunctionVersion !== undefined) alias.version = checkVersion(body.FunctionVersion);
      if (typeof body.Description === 'string') alias.description = body.Description;
      alias.revisionId = randomUUID();
      return sendJson(res, 200, view(aliasName));
    }
    throw new ApiError(404, 'UnknownOperationException', `Unknown operation ${method} alias`);
  };

  const server = http.createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (err instanceof ApiError) return sendError(res, err);
      sendError(res, new ApiError(500, 'ServiceException', `local lambda server: ${err instanceof Error ? err.message : String(err)}`));
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    region,
    invocations,
    registry,
    environments: () => pool.size(),
    drain: async () => {
      while (background.size > 0) await Promise.all([...background]);
    },
    close: async () => {
      closing = true;
      for (const list of waiting.values()) for (const wake of list.splice(0)) wake();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await pool.close();
      await Promise.allSettled([...background]);
      await registry.settled();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

function configuration(fn: LambdaFunction, target?: Resolved): Record<string, unknown> {
  const published = target !== undefined && target.version !== '$LATEST';
  const s = published ? target.settings : fn.settings;
  const code = published ? target.code! : fn.latest;
  return {
    FunctionName: fn.name,
    FunctionArn: published ? `${fn.arn}:${target.version}` : fn.arn,
    Runtime: s.runtime,
    Role: s.role,
    Handler: s.handler,
    CodeSize: code.codeSize,
    CodeSha256: code.codeSha256,
    Description: s.description,
    Timeout: s.timeoutS,
    MemorySize: s.memoryMb,
    LastModified: published ? (fn.versions.get(target.version)?.lastModified ?? lambdaDate()) : fn.lastModified,
    Version: published ? target.version : '$LATEST',
    Environment: { Variables: s.env },
    VpcConfig: { SubnetIds: s.subnetIds, SecurityGroupIds: s.securityGroupIds, VpcId: s.subnetIds.length > 0 ? 'vpc-0local' : '' },
    RevisionId: fn.revisionId,
    State: published ? 'Active' : fn.state,
    ...(fn.stateReason && !published ? { StateReason: fn.stateReason, StateReasonCode: fn.state === 'Pending' ? 'Creating' : 'InvalidZipFileException' } : {}),
    LastUpdateStatus: published ? 'Successful' : fn.lastUpdateStatus,
    PackageType: 'Zip',
    Architectures: ['x86_64'],
    EphemeralStorage: { Size: 512 },
  };
}

async function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new ApiError(413, 'RequestEntityTooLargeException', `Request must be smaller than ${limit} bytes for this operation`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const text = (await readBody(req, MAX_REQUEST_BYTES)).toString('utf8');
  try {
    const value: unknown = text === '' ? {} : JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch (err) {
    throw new ApiError(400, 'SerializationException', `Could not parse the request body: ${(err as Error).message}`);
  }
}

function send(res: http.ServerResponse, status: number, headers: Record<string, string>, body?: string): void {
  res.writeHead(status, { ...headers, ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }) });
  res.end(body);
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  send(res, status, { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID() }, JSON.stringify(value));
}

function sendError(res: http.ServerResponse, err: ApiError): void {
  send(res, err.status, { 'content-type': 'application/json', 'x-amzn-errortype': err.type, 'x-amzn-requestid': randomUUID() }, JSON.stringify({ Type: err.status >= 500 ? 'Service' : 'User', Message: err.message, ...err.extra }));
}
