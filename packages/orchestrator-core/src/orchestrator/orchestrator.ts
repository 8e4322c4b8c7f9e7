/**
 * Orchestrator: the seed's `Orchestrator` — job queue, caps, scheduler, worker endpoint, backends.
 *
 * Job status: QUEUED → RUNNING → SUCCEEDED | FAILED | CANCELLED (transitions in the split store).
 * - enqueueJob validates the job, plans it (defaults → policy → caps at the global maximum), stores
 *   it QUEUED with its splits cut, and returns at once. runJob does the same and waits for the end.
 * - A scheduler tick (every `schedulerTickMs`, and sooner when poked) expires lapsed leases, lets
 *   every running job maintain its task managers (replacements, speculation), finishes jobs whose
 *   splits are all DONE or FAILED (outputs exported, waiters resolved), and admits QUEUED jobs
 *   while fewer than `maxJobManagers` run and task managers are free — a job admitted under load
 *   shrinks to the free task-manager budget and its task managers pull the remaining splits.
 * - start() recovers QUEUED and RUNNING jobs from Postgres (a restarted gateway resumes them).
 */
import { EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import type { JobProgress, JobSummary } from '../api-types.js';
import { LocalBackend } from '../backends/local.js';
import type { Backend } from '../backends/types.js';
import { readDatabaseEnv } from '../db/env.js';
import { openDatabase, type Database } from '../db/open.js';
import { compileJobOptions } from '../job/compile.js';
import { JobOptionsError } from '../job/errors.js';
import type { BackendName, JobOptionsInput } from '../job/types.js';
import { capsFor, compileOrchestratorOptions, type CompiledOrchestratorOptions, type OrchestratorOptions } from '../policies/orchestrator-options.js';
import { resolveJobPlan } from '../policies/plan.js';
import { JobStatus } from '../ports.js';
import type { WorkerCommit } from '../store/defaults.js';
import { PgSplitStore } from '../store/split-store.js';
import type { JobWithSettings } from '../store/types.js';
import { startWorkerEndpoint, type WorkerEndpoint } from '../worker-endpoint/server.js';
import { cachedWorkerSecrets } from '../worker-endpoint/secrets.js';
import { JobRunner, type StoredJobSettings } from './job-runner.js';
import { exportOutputs } from './outputs.js';
import { progressFromSnapshot } from './progress.js';
import { buildSummary } from './summary.js';

export interface OrchestratorDeps {
  /** An open database; otherwise start() opens one (DATABASE_URL or embedded Postgres). */
  database?: Database;
  databaseUrl?: string;
  /** Backends by name; `local` defaults to child processes of the task runtime. */
  backends?: Partial<Record<BackendName, Backend>>;
  /** Where `print` output goes (default stdout). */
  printSink?: Writable;
  s3Client?: () => S3Client;
  log?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
  /** Dynamic task managers exit after this long with nothing to claim (default 30 s). */
  taskManagerIdleTimeoutMs?: number;
  /** Grace period for task managers to exit by themselves when their job ends. */
  stopGraceMs?: number;
  /** How worker calls commit (PgSplitStore `workerCommit`); default OFFSAMPLE_WORKER_COMMIT, else 'async'. */
  workerCommit?: WorkerCommit;
}

export interface JobStatusEvent {
  jobId: string;
  status: JobStatus;
}

/** Worker secrets kept in memory (oldest dropped first). */

const TERMINAL: ReadonlySet<string> = new Set([JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED]);

export class Orchestrator extends EventEmitter {
  readonly options: CompiledOrchestratorOptions;
  private database: Database | null = null;
  private ownsDatabase = false;
  private storeInstance: PgSplitStore | null = null;
  private endpoint: WorkerEndpoint | null = null;
  private readonly backends = new Map<BackendName, Backend>();
  private readonly runners = new Map<string, JobRunner>();
  private readonly finishing = new Map<string, Promise<JobSummary>>();
  private readonly waiters = new Map<string, { resolve: (s: JobSummary) => void; reject: (e: unknown) => void }[]>();
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private tickAgain = false;
  private inUse = 0;
  private stopped = false;

  constructor(options: OrchestratorOptions = {}, private readonly deps: OrchestratorDeps = {}) {
    super();
    this.options = compileOrchestratorOptions(options);
  }

  get db(): Database {
    if (this.database === null) throw new Error('Orchestrator not started: call start() first');
    return this.database;
  }

  get store(): PgSplitStore {
    if (this.storeInstance === null) throw new Error('Orchestrator not started: call start() first');
    return this.storeInstance;
  }

  get workerEndpointUrl(): string {
    if (this.endpoint === null) throw new Error('Orchestrator not started: call start() first');
    return this.endpoint.url;
  }

  private log(level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void {
    this.deps.log?.(level, message, fields);
  }

  async start(): Promise<void> {
    if (this.database !== null) return;
    if (this.deps.database) this.database = this.deps.database;
    else {
      this.database = await openDatabase(this.deps.databaseUrl ? { url: this.deps.databaseUrl } : {});
      this.ownsDatabase = true;
    }
    const workerCommit = this.deps.workerCommit ?? readDatabaseEnv().workerCommit;
    this.storeInstance = new PgSplitStore(this.database, workerCommit === undefined ? {} : { workerCommit });
    const store = this.storeInstance;
    for (const [name, backend] of Object.entries(this.deps.backends ?? {})) if (backend) this.backends.set(name as BackendName, backend);
    if (!this.backends.has('local')) this.backends.set('local', new LocalBackend());
    for (const backend of this.backends.values()) backend.attach?.({ store });
    this.endpoint = await startWorkerEndpoint({
      store,
      // Also for ended jobs: their task managers still claim (answered `done`) and send final reports.
      secrets: cachedWorkerSecrets(async (jobId) => (await store.getJobWithSettings(jobId))?.workerSecret ?? null),
      leaseMs: async (jobId) => (await this.settingsOf(jobId))?.job.leaseMs ?? 30_000,
      host: this.options.workerEndpoint.host,
      port: this.options.workerEndpoint.port,
      publicUrl: this.options.workerEndpoint.publicUrl,
      bodyLimitBytes: this.options.workerEndpoint.bodyLimitBytes,
    });
    await this.recover();
    this.timer = setInterval(() => this.poke(), this.options.schedulerTickMs);
    this.poke();
  }

  /** Stops scheduling and every task manager; jobs stay RUNNING / QUEUED in Postgres for the next start(). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.ticking?.catch(() => undefined);
    await Promise.allSettled([...this.finishing.values()]);
    await Promise.allSettled([...this.runners.values()].map((r) => r.stop(0, { orchestratorStopping: true })));
    for (const backend of this.backends.values()) await backend.close();
    await this.endpoint?.close();
    for (const [jobId, list] of this.waiters) for (const w of list) w.reject(new Error(`orchestrator stopped before job ${jobId} ended`));
    this.waiters.clear();
    if (this.ownsDatabase) await this.database?.close();
  }

  // ---- jobs ----

  async enqueueJob(input: JobOptionsInput | unknown): Promise<{ jobId: string }> {
    const store = this.store;
    const compiled = compileJobOptions(input);
    if (!this.backends.has(compiled.backend)) {
      const configured = [...this.backends.keys()].join(', ');
      throw new JobOptionsError([{ path: 'job.backend', message: `'${compiled.backend}' is not configured on this orchestrator (configured: ${configured})` }]);
    }
    const plan = resolveJobPlan(compiled, this.options.jobPolicy, capsFor(this.options, compiled.backend), this.options.jobDefaults);
    const { inputs, ...job } = compiled;
    const settings: StoredJobSettings = { version: 1, job, plan };
    const jobId = await store.createJob({
      name: compiled.name,
      backend: compiled.backend,
      splitMode: compiled.splitMode,
      splitSize: plan.splitSize,
      numTaskManagers: plan.numTaskManagers,
      maxSplitRetries: compiled.maxSplitRetries,
      inputs,
      settings: JSON.parse(JSON.stringify(settings)) as unknown,
      outputStorage: compiled.output.storage,
      outputLocation: compiled.output.location,
    });
    this.log('info', 'job queued', { jobId, name: compiled.name, inputs: inputs.length, plan: plan.appliedSteps });
    this.emit('jobStatus', { jobId, status: JobStatus.QUEUED } satisfies JobStatusEvent);
    this.poke();
    return { jobId };
  }

  async runJob(input: JobOptionsInput | unknown): Promise<JobSummary> {
    const { jobId } = await this.enqueueJob(input);
    return this.waitForJob(jobId);
  }

  /** Resolves with the summary when the job ends (at once if it already has). */
  async waitForJob(jobId: string): Promise<JobSummary> {
    const job = await this.store.getJob(jobId);
    if (job === null) throw new Error(`job ${jobId} not found`);
    const inFlight = this.finishing.get(jobId);
    if (inFlight) return inFlight;
    if (TERMINAL.has(job.status) && !this.runners.has(jobId)) return this.summary(jobId);
    return new Promise((resolve, reject) => {
      const list = this.waiters.get(jobId) ?? [];
      list.push({ resolve, reject });
      this.waiters.set(jobId, list);
    });
  }

  /** Cancels a QUEUED or RUNNING job: its task managers stop, unfinished inputs get CANCELLED records. */
  async cancelJob(jobId: string): Promise<boolean> {
    const report = await this.store.cancelJob(jobId);
    if (report.changed) {
      this.log('info', 'job cancelled', { jobId });
      this.poke();
      if (!this.runners.has(jobId)) await this.finish(jobId, JobStatus.CANCELLED);
    }
    return report.changed;
  }

  async getProgress(jobId: string): Promise<JobProgress | null> {
    const snapshot = await this.store.jobProgress(jobId);
    if (snapshot === null) return null;
    const settings = await this.settingsOf(jobId);
    return progressFromSnapshot(snapshot, {
      speculationMultiplier: settings?.job.speculation.multiplier ?? 2,
      leaseMs: settings?.job.leaseMs ?? 30_000,
    });
  }

  async summary(jobId: string): Promise<JobSummary> {
    const job = await this.store.getJobWithSettings(jobId);
    if (job === null) throw new Error(`job ${jobId} not found`);
    return buildSummary(this.store, job, parseSettings(job));
  }

  private async settingsOf(jobId: string): Promise<StoredJobSettings | null> {
    const runner = this.runners.get(jobId);
    if (runner) return runner.settings;
    const job = await this.store.getJobWithSettings(jobId);
    return job ? parseSettings(job) : null;
  }

  // ---- scheduling ----

  /** Run a scheduler tick now (or right after the one in progress). */
  poke(): void {
    if (this.stopped || this.storeInstance === null) return;
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = this.tick()
      .catch((err: unknown) => this.log('error', 'scheduler tick failed', { error: err instanceof Error ? err.message : String(err) }))
      .finally(() => {
        this.ticking = null;
        if (this.tickAgain) {
          this.tickAgain = false;
          this.poke();
        }
      });
  }

  private async tick(): Promise<void> {
    const store = this.store;
    await store.expireLeases();
    for (const runner of [...this.runners.values()]) {
      if (this.finishing.has(runner.jobId)) continue;
      const ended = await store.finishJobIfComplete(runner.jobId);
      const snapshot = await store.jobProgress(runner.jobId);
      const status = ended ?? snapshot?.job.status ?? null;
      if (status === null || TERMINAL.has(status)) {
        void this.finish(runner.jobId, (status ?? JobStatus.FAILED) as JobStatus);
        continue;
      }
      if (snapshot === null) continue;
      const failure = await runner.maintain(snapshot, Math.max(1, snapshot.job.numTaskManagers));
      if (failure !== null) {
        this.log('error', 'job failed', { jobId: runner.jobId, error: failure });
        await store.failJob(runner.jobId, failure);
        void this.finish(runner.jobId, JobStatus.FAILED);
      }
    }
    if (!this.stopped) await this.admit();
  }

  private readonly budget = {
    acquire: (wanted: number): number => {
      const free = Math.max(0, this.options.maxTaskManagers - this.inUse);
      const got = Math.min(wanted, free);
      this.inUse += got;
      return got;
    },
    release: (count = 1): void => {
      this.inUse = Math.max(0, this.inUse - count);
    },
  };

  /** Admit QUEUED jobs, oldest first, while job and task-manager caps allow. */
  private async admit(): Promise<void> {
    const openJobSlots = this.options.maxJobManagers - this.runners.size;
    if (openJobSlots <= 0) return;
    const queued = await this.store.listJobs({ statuses: [JobStatus.QUEUED], limit: openJobSlots });
    for (const record of queued) {
      const job = await this.store.getJobWithSettings(record.id);
      if (job === null || job.status !== JobStatus.QUEUED) continue;
      const backend = job.backend as BackendName;
      const free = Math.min(capsFor(this.options, backend).maxTaskManagers, this.options.maxTaskManagers) - this.inUse;
      if (free < 1) return; // wait for task managers to free up; keep queue order
      if (!(await this.store.markJobRunning(job.id))) continue; // another gateway took it, or cancelled
      await this.run(job, free);
    }
  }

  private async run(job: JobWithSettings, free: number): Promise<void> {
    const settings = parseSettings(job);
    const backend = this.backends.get(job.backend as BackendName);
    if (!backend) {
      await this.store.failJob(job.id, `backend '${job.backend}' is not configured on this orchestrator`);
      void this.finish(job.id, JobStatus.FAILED);
      return;
    }
    const runner = new JobRunner({ ...job, status: JobStatus.RUNNING }, settings, {
      store: this.store,
      backend,
      workerEndpointUrl: this.workerEndpointUrl,
      budget: this.budget,
      poke: () => this.poke(),
      log: (level, message, fields) => this.log(level, message, fields),
      idleTimeoutMs: this.deps.taskManagerIdleTimeoutMs ?? 30_000,
    });
    this.runners.set(job.id, runner);
    const n = this.budget.acquire(Math.min(job.numTaskManagers, free));
    this.log('info', 'job started', { jobId: job.id, taskManagers: n, planned: job.numTaskManagers });
    this.emit('jobStatus', { jobId: job.id, status: JobStatus.RUNNING } satisfies JobStatusEvent);
    await runner.start(n);
  }

  /** Jobs this process did not start but Postgres says are RUNNING: resume them (after a restart). */
  private async recover(): Promise<void> {
    const running = await this.store.listJobs({ statuses: [JobStatus.RUNNING] });
    for (const record of running) {
      const job = await this.store.getJobWithSettings(record.id);
      if (job === null) continue;
      // Task managers of the previous process cannot reach this endpoint: release their splits now.
      for (const tm of await this.store.listTaskManagers(job.id)) {
        if (tm.status === 'STARTING' || tm.status === 'RUNNING') {
          await this.store.releaseTaskManager(tm.id, 'orchestrator restarted', { chargeRetry: false });
          await this.store.endTaskManager(tm.id, { status: 'FAILED', error: 'orchestrator restarted' });
        }
      }
      const free = this.options.maxTaskManagers - this.inUse;
      this.log('info', 'job recovered', { jobId: job.id });
      if (free >= 1 && this.runners.size < this.options.maxJobManagers) await this.run(job, free);
    }
  }

  private finish(jobId: string, status: JobStatus): Promise<JobSummary> {
    const existing = this.finishing.get(jobId);
    if (existing) return existing;
    const done = (async () => {
      const runner = this.runners.get(jobId);
      await runner?.stop(this.deps.stopGraceMs ?? 3_000);
      this.runners.delete(jobId);
      const summary = await this.summary(jobId);
      const job = await this.store.getJobWithSettings(jobId);
      const settings = job ? parseSettings(job) : null;
      if (settings && status !== JobStatus.CANCELLED) {
        try {
          const location = await exportOutputs(this.store, summary, settings.job.output, this.outputDeps());
          summary.output = { storage: settings.job.output.storage, location };
        } catch (err) {
          this.log('error', 'output export failed', { jobId, error: err instanceof Error ? err.message : String(err) });
        }
      }
      this.log('info', 'job ended', { jobId, status, done: summary.done, failed: summary.failed });
      this.emit('jobStatus', { jobId, status: summary.status } satisfies JobStatusEvent);
      for (const w of this.waiters.get(jobId) ?? []) w.resolve(summary);
      this.waiters.delete(jobId);
      this.poke(); // task managers freed: admit queued jobs
      return summary;
    })();
    this.finishing.set(jobId, done);
    void done.catch((err: unknown) => {
      for (const w of this.waiters.get(jobId) ?? []) w.reject(err);
      this.waiters.delete(jobId);
    }).finally(() => this.finishing.delete(jobId));
    return done;
  }

  private outputDeps() {
    const deps: { printSink?: Writable; s3Client?: () => S3Client } = {};
    if (this.deps.printSink) deps.printSink = this.deps.printSink;
    if (this.deps.s3Client) deps.s3Client = this.deps.s3Client;
    return deps;
  }
}

function parseSettings(job: JobWithSettings): StoredJobSettings {
  const s = job.settings as Partial<StoredJobSettings> | null;
  if (!s || s.version !== 1 || !s.job || !s.plan) throw new Error(`job ${job.id} has settings this orchestrator cannot read`);
  return s as StoredJobSettings;
}
