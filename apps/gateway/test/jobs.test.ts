/**
 * The job flow through the gateway, end to end: submitJob (inputs from a file) → jobProgress events
 * over graphql-ws → results paged by cursor and filtered; cancelJob on a job whose inputs never
 * arrive. Real orchestrator, real task-manager processes, real model, real Postgres.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDataset } from '@offsample/model';
import { Orchestrator } from '@offsample/orchestrator-core';
import { createTestDatabase, type TestDatabase } from '../../../test/setup/database.js';
import { startGateway, type GatewayHandle } from '../dist/index.js';
import { collect, discard, gql, startImageServer, waitFor, wsClient, type ImageServer } from './helpers.js';

const IMAGES = 10;
const loggedErrors: string[] = [];

let tdb: TestDatabase;
let dir: string;
let images: ImageServer;
let orchestrator: Orchestrator;
let gateway: GatewayHandle;

beforeAll(async () => {
  tdb = await createTestDatabase();
  dir = await mkdtemp(path.join(tmpdir(), 'gateway-jobs-'));
  await generateDataset({ count: IMAGES, outDir: dir, seed: 42, minSizePx: 24, maxSizePx: 64 });
  images = await startImageServer(dir);
  orchestrator = new Orchestrator({ maxTaskManagers: 2, schedulerTickMs: 200 }, { databaseUrl: tdb.url, printSink: discard(), stopGraceMs: 500 });
  await orchestrator.start();
  // Progress every 250 ms so even a short job shows several events (the default is 1 s).
  gateway = await startGateway({
    orchestrator,
    port: 0,
    apiToken: null,
    progressIntervalMs: 250,
    inputsFromDirs: [dir],
    log: { info: () => {}, error: (m, e) => loggedErrors.push(`${m}: ${String(e)}`) },
  });
});

afterAll(async () => {
  await gateway?.close();
  await orchestrator?.stop();
  await images?.close();
  await tdb?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const PROGRESS = 'status done failed totalInputs imagesPerSecond etaSeconds activeTaskManagers splits { total done } stuckSplits { ordinal reason }';

describe('submit → progress → results', () => {
  it('runs a job submitted with inputsFrom and reports it through every read', async () => {
    const urls = Array.from({ length: IMAGES }, (_, i) => `${images.url}/img/img-${String(i + 1).padStart(6, '0')}.png`);
    const list = path.join(dir, 'inputs.txt');
    await writeFile(list, `# ten images and one that is missing\n${urls.join('\n')}\n${images.url}/img/missing.png\n`);

    const submitted = await gql(gateway.url, 'mutation S($i: SubmitJobInput!) { submitJob(input: $i) { id name status totalInputs splitSize } }', {
      i: { name: 'gateway-e2e', inputsFrom: list, splitSize: 3, numTaskManagers: 2, taskManagerConfig: { load: { allowLoopback: true } } },
    });
    expect(submitted.body.errors).toBeUndefined();
    const job = submitted.body.data!['submitJob'];
    expect(job).toMatchObject({ name: 'gateway-e2e', totalInputs: IMAGES + 1, splitSize: 3 });
    expect(['QUEUED', 'RUNNING']).toContain(job.status);

    const client = wsClient(gateway.wsUrl);
    const { events, error } = await collect<{ data: { jobProgress: any } }>(client, `subscription { jobProgress(jobId: "${job.id}") { ${PROGRESS} } }`);
    await client.dispose();
    expect(error).toBeNull();
    const progress = events.map((e) => e.data.jobProgress);
    // At once, while it ran, and a final one — then the stream completed by itself.
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.slice(0, -1).every((p) => p.status === 'QUEUED' || p.status === 'RUNNING')).toBe(true);
    const last = progress.at(-1);
    expect(last).toMatchObject({ status: 'SUCCEEDED', done: IMAGES, failed: 1, totalInputs: IMAGES + 1, etaSeconds: null });
    expect(last.splits).toEqual({ total: 4, done: 4 });
    for (let i = 1; i < progress.length; i++) expect(progress[i].done + progress[i].failed).toBeGreaterThanOrEqual(progress[i - 1].done + progress[i - 1].failed);

    // Every input exactly once, paging by cursor.
    const seen: number[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const r = await gql(gateway.url, 'query R($id: ID!, $after: String) { results(jobId: $id, first: 4, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { inputIndex input label probabilities errorCode } } }', { id: job.id, after });
      expect(r.body.errors).toBeUndefined();
      const conn = r.body.data!['results'];
      expect(conn.totalCount).toBe(IMAGES + 1);
      for (const n of conn.nodes) {
        seen.push(n.inputIndex);
        if (n.errorCode === null) {
          expect(['on-sample', 'off-sample']).toContain(n.label);
          expect(n.probabilities.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 4);
        }
      }
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    expect(seen).toEqual(Array.from({ length: IMAGES + 1 }, (_, i) => i));

    const errors = await gql(gateway.url, `{ results(jobId: "${job.id}", filter: { errorCode: "NOT_FOUND" }) { totalCount nodes { inputIndex input } } }`);
    expect(errors.body.data!['results']).toEqual({ totalCount: 1, nodes: [{ inputIndex: IMAGES, input: `${images.url}/img/missing.png` }] });
    const on = (await gql(gateway.url, `{ results(jobId: "${job.id}", filter: { label: "on-sample" }) { totalCount } }`)).body.data!['results'].totalCount;
    const off = (await gql(gateway.url, `{ results(jobId: "${job.id}", filter: { label: "off-sample" }) { totalCount } }`)).body.data!['results'].totalCount;
    expect(on + off).toBe(IMAGES);

    const detail = await gql(gateway.url, `{ job(id: "${job.id}") { status done failed settings errorsByCode { code count }
      throughput(bucketSeconds: 60) { items } taskManagers { id items }
      splits { ordinal status size attempts { status taskManagerId } } progress { status } } }`);
    expect(detail.body.errors).toBeUndefined();
    const j = detail.body.data!['job'];
    expect(j).toMatchObject({ status: 'SUCCEEDED', done: IMAGES, failed: 1, errorsByCode: [{ code: 'NOT_FOUND', count: 1 }], progress: { status: 'SUCCEEDED' } });
    expect(j.settings.job.name).toBe('gateway-e2e');
    expect(j.throughput.reduce((a: number, p: { items: number }) => a + p.items, 0)).toBe(IMAGES + 1);
    expect(j.taskManagers.length).toBeGreaterThanOrEqual(1);
    expect(j.splits.map((s: { size: number }) => s.size)).toEqual([3, 3, 3, 2]);
    for (const s of j.splits) {
      expect(s.status).toBe('DONE');
      expect(s.attempts.filter((a: { status: string }) => a.status === 'SUCCEEDED')).toHaveLength(1);
    }
    const splitsDone = await gql(gateway.url, `{ splits(jobId: "${job.id}", status: DONE) { ordinal } }`);
    expect(splitsDone.body.data!['splits']).toHaveLength(4);

    const listed = await gql(gateway.url, '{ jobs(filter: { status: [SUCCEEDED] }) { totalCount nodes { id } } }');
    expect(listed.body.data!['jobs'].nodes.map((n: { id: string }) => n.id)).toContain(job.id);

    // A finished job's subscription: one final event, then complete.
    const late = wsClient(gateway.wsUrl);
    const again = await collect(late, `subscription { jobProgress(jobId: "${job.id}") { status done } }`);
    await late.dispose();
    expect(again).toEqual({ events: [{ data: { jobProgress: { status: 'SUCCEEDED', done: IMAGES } } }], error: null });
  });
});

describe('cancel', () => {
  it('cancels a running job: its subscription ends CANCELLED and every unfinished input gets a CANCELLED record', async () => {
    const inputs = Array.from({ length: 6 }, (_, i) => `${images.url}/hang/${i}.png`);
    const submitted = await gql(gateway.url, 'mutation S($i: SubmitJobInput!) { submitJob(input: $i) { id } }', {
      i: { name: 'to-cancel', inputs, splitSize: 3, numTaskManagers: 1, taskManagerConfig: { load: { allowLoopback: true } } },
    });
    expect(submitted.body.errors).toBeUndefined();
    const jobId: string = submitted.body.data!['submitJob'].id;

    const client = wsClient(gateway.wsUrl);
    const following = collect<{ data: { jobProgress: { status: string } } }>(client, `subscription { jobProgress(jobId: "${jobId}") { status } }`);
    await waitFor('the job to run', async () => (await gql(gateway.url, `{ job(id: "${jobId}") { status } }`)).body.data?.['job']?.status === 'RUNNING');

    // A second subscriber leaves after two events: its stream stops polling while the job runs on.
    await waitFor('the first stream', async () => gateway.openProgressStreams() === 1);
    const leaver = wsClient(gateway.wsUrl);
    let seen = 0;
    for await (const e of leaver.iterate({ query: `subscription { jobProgress(jobId: "${jobId}") { status } }` })) {
      expect(e.data?.['jobProgress']).toEqual({ status: 'RUNNING' });
      if (++seen === 2) break;
    }
    await waitFor('the leaver\'s stream to stop', async () => gateway.openProgressStreams() === 1);
    await leaver.dispose();

    const cancelled = await gql(gateway.url, `mutation { cancelJob(id: "${jobId}") { id status } }`);
    expect(cancelled.body.data!['cancelJob']).toEqual({ id: jobId, status: 'CANCELLED' });

    const { events, error } = await following;
    await client.dispose();
    expect(error).toBeNull();
    expect(events.at(-1)?.data.jobProgress.status).toBe('CANCELLED');
    expect(gateway.openProgressStreams()).toBe(0);

    const results = await gql(gateway.url, `{ results(jobId: "${jobId}", first: 10) { totalCount nodes { inputIndex errorCode } } }`);
    const conn = results.body.data!['results'];
    expect(conn.totalCount).toBe(inputs.length);
    expect(conn.nodes.every((n: { errorCode: string }) => n.errorCode === 'CANCELLED')).toBe(true);

    // Cancelling again changes nothing and still answers with the job.
    const again = await gql(gateway.url, `mutation { cancelJob(id: "${jobId}") { status } }`);
    expect(again.body.data!['cancelJob']).toEqual({ status: 'CANCELLED' });
    expect(loggedErrors).toEqual([]);
  });
});
