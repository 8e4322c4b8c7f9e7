/**
 * Auth (HTTP and graphql-ws), validation errors naming the field, page-size and depth limits, body
 * limit, stable error codes without stack traces — on real gateways over a real orchestrator and
 * a real Postgres.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Orchestrator } from '@offsample/orchestrator-core';
import { createTestDatabase, type TestDatabase } from '../../../test/setup/database.js';
import { compileGatewayOptions, startGateway, type GatewayHandle } from '../dist/index.js';
import { createGatewayClient, GatewayClientError } from '../dist/client.js';
import { collect, discard, gql, onlyError, wsClient } from './helpers.js';

const TOKEN = 'test-token-0123456789abcdef';
const quiet = { info: () => {}, error: (m: string, e?: unknown) => loggedErrors.push(`${m}: ${String(e)}`) };
const loggedErrors: string[] = [];

let tdb: TestDatabase;
let orchestrator: Orchestrator;
let open: GatewayHandle;
let guarded: GatewayHandle;

beforeAll(async () => {
  tdb = await createTestDatabase();
  orchestrator = new Orchestrator({ maxTaskManagers: 1 }, { databaseUrl: tdb.url, printSink: discard() });
  await orchestrator.start();
  open = await startGateway({ orchestrator, port: 0, apiToken: null, log: quiet });
  guarded = await startGateway({ orchestrator, port: 0, apiToken: TOKEN, log: quiet });
});

afterAll(async () => {
  await open?.close();
  await guarded?.close();
  await orchestrator?.stop();
  await tdb?.drop();
});

/** job → splits → job → … : `levels` fields deep. */
function deepQuery(levels: number): string {
  let inner = 'id';
  for (let i = levels - 1; i >= 2; i--) inner = `${i % 2 === 0 ? 'splits' : 'job'} { ${inner} }`;
  return `{ job(id: "00000000-0000-0000-0000-000000000000") { ${inner} } }`;
}

describe('auth', () => {
  it('without a token configured, anyone may query; /healthz answers', async () => {
    const r = await gql(open.url, '{ jobs { totalCount } }');
    expect(r.status).toBe(200);
    expect(r.body.data?.['jobs']).toEqual({ totalCount: 0 });
    expect(await (await fetch(`${open.origin}/healthz`)).json()).toEqual({ ok: true });
  });

  it('with a token, HTTP operations without it or with a wrong one get 401 UNAUTHENTICATED', async () => {
    for (const token of [undefined, 'wrong-token-0123456789abcdef']) {
      const r = await gql(guarded.url, '{ jobs { totalCount } }', undefined, token);
      expect(r.status).toBe(401);
      expect(onlyError(r).extensions?.code).toBe('UNAUTHENTICATED');
    }
    const ok = await gql(guarded.url, '{ jobs { totalCount } }', undefined, TOKEN);
    expect(ok.status).toBe(200);
    expect(ok.body.data?.['jobs']).toEqual({ totalCount: 0 });
    expect((await fetch(`${guarded.origin}/healthz`)).status).toBe(200);
  });

  it('with a token, graphql-ws connections need it in connectionParams (else closed with 4403)', async () => {
    const query = '{ jobs { totalCount } }';
    for (const token of [undefined, 'wrong-token-0123456789abcdef']) {
      const client = wsClient(guarded.wsUrl, token);
      const { events, error } = await collect(client, query);
      await client.dispose();
      expect(events).toEqual([]);
      expect((error as { code?: number }).code).toBe(4403);
    }
    const client = wsClient(guarded.wsUrl, TOKEN);
    const { events, error } = await collect(client, query);
    await client.dispose();
    expect(error).toBeNull();
    expect(events).toEqual([{ data: { jobs: { totalCount: 0 } } }]);
  });

  it('refuses a weak OFFSAMPLE_API_TOKEN, naming the variable and not the value', () => {
    expect(() => compileGatewayOptions({ env: { OFFSAMPLE_API_TOKEN: 'short' } })).toThrow(/OFFSAMPLE_API_TOKEN must be at least 16 characters/);
    expect(() => compileGatewayOptions({ env: { OFFSAMPLE_API_TOKEN: 'short' } })).not.toThrow(/short/);
    expect(compileGatewayOptions({ env: { OFFSAMPLE_API_TOKEN: TOKEN } }).apiToken).toBe(TOKEN);
    expect(compileGatewayOptions({ env: { OFFSAMPLE_API_TOKEN: TOKEN }, apiToken: null }).apiToken).toBeNull();
  });
});

describe('validation', () => {
  const submit = 'mutation S($i: SubmitJobInput!) { submitJob(input: $i) { id } }';

  it('orchestrator refusals come back as BAD_USER_INPUT naming input.<field>', async () => {
    const r = await gql(open.url, submit, { i: { name: 'x', inputs: ['http://example.com/a.png'], splitSize: 0, maxSplitRetries: -1 } });
    const err = onlyError(r);
    expect(err.extensions?.code).toBe('BAD_USER_INPUT');
    const paths = err.extensions?.fields?.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['input.splitSize', 'input.maxSplitRetries']));
    expect(err.message).toContain('input.splitSize');
    expect(r.body.data).toBeNull();
  });

  it('the gateway\'s own checks name their field too', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ name: 'x' }, 'input.inputs'],
      [{ name: 'x', inputs: ['a'], inputsFrom: '/tmp/x' }, 'input.inputs'],
      [{ name: 'x', inputs: ['h'.repeat(2049)] }, 'input.inputs'],
      [{ name: 'n'.repeat(201), inputs: ['a'] }, 'input.name'],
      [{ name: 'x', inputsFrom: 'ftp://example.com/list.txt' }, 'input.inputsFrom'],
      [{ name: 'x', inputs: ['a'], output: { location: 'l'.repeat(5000) } }, 'input.output.location'],
    ];
    for (const [input, path] of cases) {
      const err = onlyError(await gql(open.url, submit, { i: input }));
      expect(err.extensions?.code, JSON.stringify(input).slice(0, 80)).toBe('BAD_USER_INPUT');
      expect(err.extensions?.fields?.[0]?.path).toBe(path);
    }
  });

  it('variables of the wrong type are BAD_USER_INPUT (HTTP 400)', async () => {
    const r = await gql(open.url, submit, { i: { name: 5, inputs: ['a'] } });
    expect(r.status).toBe(400);
    expect(onlyError(r).extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('unknown ids are NOT_FOUND (or null for job), bad cursors and buckets BAD_USER_INPUT', async () => {
    const missing = '00000000-0000-0000-0000-000000000000';
    expect((await gql(open.url, `{ job(id: "${missing}") { id } }`)).body).toEqual({ data: { job: null } });
    expect((await gql(open.url, `{ job(id: "not-a-uuid") { id } }`)).body).toEqual({ data: { job: null } });
    for (const q of [
      `{ results(jobId: "${missing}") { totalCount } }`,
      `{ splits(jobId: "${missing}") { id } }`,
      `mutation { cancelJob(id: "${missing}") { id } }`,
    ]) {
      expect(onlyError(await gql(open.url, q)).extensions?.code, q).toBe('NOT_FOUND');
    }
    const cursor = onlyError(await gql(open.url, '{ jobs(after: "bm90LWEtY3Vyc29y") { totalCount } }'));
    expect([cursor.extensions?.code, cursor.extensions?.fields?.[0]?.path]).toEqual(['BAD_USER_INPUT', 'after']);
  });

  it('no error carries a stack trace, and nothing so far was an internal error', async () => {
    const r = await gql(open.url, '{ jobs(first: 0) { totalCount } }');
    const text = JSON.stringify(r.body);
    expect(text).not.toMatch(/stacktrace|\s+at\s+\S+\s+\(/);
    expect(loggedErrors).toEqual([]);
  });
});

describe('limits', () => {
  it('page size is 1..500 on every connection', async () => {
    for (const q of ['{ jobs(first: 501) { totalCount } }', '{ jobs(first: 0) { totalCount } }', '{ results(jobId: "x", first: 501) { totalCount } }']) {
      const err = onlyError(await gql(open.url, q));
      expect([err.extensions?.code, err.extensions?.fields?.[0]?.path], q).toEqual(['BAD_USER_INPUT', 'first']);
    }
    expect((await gql(open.url, '{ jobs(first: 500) { totalCount } }')).body.data?.['jobs']).toEqual({ totalCount: 0 });
  });

  it('queries deeper than 10 levels are refused over HTTP and WebSocket; 10 pass', async () => {
    expect((await gql(open.url, deepQuery(10))).body).toEqual({ data: { job: null } });
    const r = await gql(open.url, deepQuery(11));
    const err = onlyError(r);
    expect(err.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(err.message).toMatch(/11 levels deep; the limit is 10/);
    const client = wsClient(open.wsUrl);
    const { events, error } = await collect(client, deepQuery(11));
    await client.dispose();
    expect(events).toEqual([]);
    expect((error as { extensions?: { code?: string } }[])[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('introspection is not counted against the depth limit', async () => {
    const r = await gql(open.url, '{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } }');
    expect(r.body.errors).toBeUndefined();
  });

  it('request bodies over the limit get 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await fetch(open.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ jobs { totalCount } }', variables: { pad: 'x'.repeat(5 * 1024 * 1024) } }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ errors: [{ message: expect.stringContaining('larger than'), extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
  });
});

describe('client', () => {
  it('turns error answers into GatewayClientError with the code and the fields', async () => {
    const anonymous = createGatewayClient({ url: guarded.url });
    await expect(anonymous.jobs()).rejects.toMatchObject({ name: 'GatewayClientError', code: 'UNAUTHENTICATED', httpStatus: 401 });
    await expect(anonymous.followProgress('00000000-0000-0000-0000-000000000000')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await anonymous.close();

    const client = createGatewayClient({ url: guarded.url, token: TOKEN });
    expect((await client.jobs()).totalCount).toBe(0);
    const refused = await client.submitJob({ name: 'x', inputs: ['http://example.com/a.png'], splitSize: -1 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(GatewayClientError);
    expect(refused).toMatchObject({ code: 'BAD_USER_INPUT', fields: [expect.objectContaining({ path: 'input.splitSize' })] });
    await expect(client.followProgress('00000000-0000-0000-0000-000000000000')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await client.close();

    const nobody = createGatewayClient({ url: 'http://127.0.0.1:1/graphql' });
    await expect(nobody.job('x')).rejects.toMatchObject({ code: 'UNREACHABLE' });
  });
});
