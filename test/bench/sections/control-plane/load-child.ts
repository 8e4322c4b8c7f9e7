/**
 * A load process of the control-plane section: runs its share of the simulated task managers,
 * each a loop of claim → complete (synthetic outcomes for every item) against the worker
 * endpoint, and sends back one record per request. It runs in its own process so the endpoint's
 * event loop is not shared with hundreds of clients.
 *
 * Clients: `raw` (default) is one hand-written HTTP/1.1 keep-alive connection per task manager
 * (raw-client.ts: the least client CPU, as wrk); `http` is node:http with one keep-alive agent (a socket per task manager, as real task
 * managers each hold their own) and no client-side validation, so the figure is the endpoint's;
 * `worker-client` is the task runtime's real client (global fetch, zod on both sides).
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { FromChild, LoadJob, LoadRecord, LoadResult, ToChild } from './load-protocol.js';
import { OpKind } from './load-protocol.js';
import { syntheticOutcome, type BenchItem } from './outcomes.js';
import { RawHttpConnection } from './raw-client.js';

type Claim = { kind: 'split'; attemptId: string; items: BenchItem[] } | { kind: 'wait'; retryAfterMs: number } | { kind: 'done' };
type Complete = ({ kind: 'accepted'; stored: number } | { kind: 'duplicate' } | { kind: 'discarded'; reason: string }) & { next?: Claim };

/** What a simulated task manager calls; both clients answer the decoded protocol shapes. */
interface Calls {
  claim(taskManagerId: string): Promise<Claim>;
  complete(attemptId: string, outcomes: unknown[], wallMs: number, claimNext: boolean): Promise<Complete>;
}

/** Pause after a failed request, so a failing endpoint is not hammered in a tight loop. */
const FAILURE_PAUSE_MS = 100;
/** A `wait` answer is followed at most this soon (the store says 1 s; the job end is near then). */
const MAX_WAIT_MS = 200;

/** Connections of the `raw` client, closed when the run ends. */
const connections: RawHttpConnection[] = [];

function send(message: FromChild): void {
  process.send?.(message);
}

process.on('message', (message: ToChild) => {
  if (message.type !== 'run') return;
  run(message.job).then(
    (result) => send({ type: 'result', result }),
    (err: unknown) => send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
  );
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });

async function run(job: LoadJob): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.taskManagers.length, maxFreeSockets: job.taskManagers.length });
  const callsFor = await clientFactory(job, agent);
  const record: LoadRecord = { kinds: [], endsMs: [], latenciesMs: [], stored: [] };
  const failures = new Set<string>();
  let ranDryAtMs: number | null = null;
  const startPerf = performance.now() + (job.startAtEpochMs - Date.now());
  const now = () => performance.now() - startPerf;
  const note = (kind: number, started: number, stored = 0) => {
    const end = now();
    record.kinds.push(kind);
    record.endsMs.push(end);
    record.latenciesMs.push(end - started);
    record.stored.push(stored);
  };
  const fail = (started: number, err: unknown) => {
    note(OpKind.FAILED, started);
    if (failures.size < 5) failures.add(err instanceof Error ? err.message : String(err));
  };
  const stopping = () => ranDryAtMs !== null || now() >= job.stopAfterMs;

  async function taskManager(id: string, calls: Calls): Promise<void> {
    // Spread the first cycles over one period (or 100 ms back to back) instead of one burst.
    await sleep(Math.random() * (job.cyclePeriodMs || 100));
    const claimNext = job.protocol === 'claim-next';
    /** A split claimed along with the last complete (claim-next). */
    let carried: Claim | null = null;
    while (!stopping()) {
      const cycleStart = now();
      let t = now();
      let claim: Claim;
      if (carried !== null) {
        claim = carried;
        carried = null;
      } else {
        try {
          claim = await calls.claim(id);
        } catch (err) {
          fail(t, err);
          await sleep(FAILURE_PAUSE_MS);
          continue;
        }
        if (claim.kind === 'split') note(OpKind.CLAIM_SPLIT, t);
      }
      if (claim.kind === 'done') {
        note(OpKind.CLAIM_DONE, t);
        ranDryAtMs ??= now();
        return;
      }
      if (claim.kind === 'wait') {
        note(OpKind.CLAIM_WAIT, t);
        await sleep(Math.min(MAX_WAIT_MS, claim.retryAfterMs));
        continue;
      }
      const claimedAt = now();
      const outcomes = claim.items.map((item) => syntheticOutcome(item, job));
      t = now();
      try {
        const done = await calls.complete(claim.attemptId, outcomes, now() - claimedAt, claimNext);
        if (done.kind === 'accepted') note(OpKind.COMPLETE_ACCEPTED, t, done.stored);
        else note(OpKind.COMPLETE_OTHER, t);
        if (done.next !== undefined) {
          // The claim rode on this request: it took as long as the complete.
          if (done.next.kind === 'split') note(OpKind.CLAIM_SPLIT_RODE, t);
          carried = done.next;
        }
      } catch (err) {
        fail(t, err);
        await sleep(FAILURE_PAUSE_MS);
        continue;
      }
      const rest = cycleStart + job.cyclePeriodMs - now();
      if (rest > 0) await sleep(rest);
    }
  }

  await sleep(Math.max(0, -now()));
  const cpu = process.cpuUsage();
  const elu = performance.eventLoopUtilization();
  const wallStart = performance.now();
  await Promise.all(job.taskManagers.map((tm) => taskManager(tm.id, callsFor(tm.token))));
  const wallMs = performance.now() - wallStart;
  const used = process.cpuUsage(cpu);
  agent.destroy();
  for (const connection of connections.splice(0)) connection.close();
  return {
    record,
    ranDryAtMs,
    failures: [...failures],
    cpuCores: (used.user + used.system) / 1000 / wallMs,
    eventLoopUtilisation: performance.eventLoopUtilization(elu).utilization,
  };
}

async function clientFactory(job: LoadJob, agent: http.Agent): Promise<(token: string) => Calls> {
  if (job.client === 'worker-client') {
    const { createWorkerClient } = await import('@offsample/task-runtime/worker-client');
    return (token) => {
      const client = createWorkerClient({ url: job.url, token, retries: 0 });
      return {
        claim: async (taskManagerId) => (await client.claim({ taskManagerId })) as Claim,
        complete: (attemptId, outcomes, wallMs, claimNext) =>
          client.complete({ attemptId, outcomes: outcomes as never, timings: { wallMs }, ...(claimNext ? { claimNext } : {}) }) as Promise<Complete>,
      };
    };
  }
  const base = new URL(job.url);
  if (job.client === 'raw') {
    return (token) => {
      const connection = new RawHttpConnection(base.hostname, Number(base.port), token);
      connections.push(connection);
      return {
        claim: (taskManagerId) => connection.post('/v1/claim', JSON.stringify({ taskManagerId })) as Promise<Claim>,
        complete: (attemptId, outcomes, wallMs, claimNext) =>
          connection.post('/v1/complete', JSON.stringify({ attemptId, outcomes, timings: { wallMs }, ...(claimNext ? { claimNext } : {}) })) as Promise<Complete>,
      };
    };
  }
  return (token) => {
    const post = (path: string, body: unknown) => postJson(agent, base, path, token, body);
    return {
      claim: (taskManagerId) => post('/v1/claim', { taskManagerId }) as Promise<Claim>,
      complete: (attemptId, outcomes, wallMs, claimNext) =>
        post('/v1/complete', { attemptId, outcomes, timings: { wallMs }, ...(claimNext ? { claimNext } : {}) }) as Promise<Complete>,
    };
  };
}

function postJson(agent: http.Agent, base: URL, path: string, token: string, body: unknown): Promise<unknown> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method: 'POST',
        path,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'content-length': Buffer.byteLength(text) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const answer = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200) return reject(new Error(`${path}: HTTP ${res.statusCode}: ${answer.slice(0, 200)}`));
          try {
            resolve(JSON.parse(answer));
          } catch {
            reject(new Error(`${path}: answer is not JSON`));
          }
        });
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
