/**
 * JobRunner: the task managers of one RUNNING job, on one backend.
 *
 * Dynamic mode: starts `target` task managers that pull splits from the worker endpoint; each tick
 * it replaces task managers that died while splits are still pending (within a restart budget, so a
 * task manager that can never start does not loop forever: the job then fails and every unfinished
 * input gets an error record), grants speculative copies of slow splits, and may start extra task
 * managers for them within the caps.
 * Static mode (no call-back possible): `target` slots each claim a split on behalf of a fresh task
 * manager, hand it over in the payload, renew the lease while the invocation runs, and complete the
 * split with the outcomes in the invocation's response. A failed invocation releases its split at
 * once (retried while retries remain).
 * Task-manager rows are written for both, so summaries count cold starts and busy time alike.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ItemOutcomeSchema, ReportRequestSchema } from '@offsample/task-runtime/protocol';
import type { Backend, TaskManagerExit, TaskManagerHandle } from '../backends/types.js';
import type { CompiledJob } from '../job/types.js';
import type { JobPlan } from '../policies/plan.js';
import type { PgSplitStore } from '../store/split-store.js';
import type { JobProgressSnapshot, JobWithSettings } from '../store/types.js';
import { createWorkerToken } from '../worker-endpoint/token.js';

/** What the orchestrator stores in jobs.settings: the compiled job (without its inputs) and its plan. */
export interface StoredJobSettings {
  version: 1;
  job: Omit<CompiledJob, 'inputs'>;
  plan: JobPlan;
}

export interface TaskManagerBudget {
  /** Takes up to `wanted` task-manager slots; returns how many it got. */
  acquire(wanted: number): number;
  release(count?: number): void;
}

export interface JobRunnerDeps {
  store: PgSplitStore;
  backend: Backend;
  workerEndpointUrl: string;
  budget: TaskManagerBudget;
  /** Something changed (a task manager exited, a split completed): run a scheduler tick soon. */
  poke: () => void;
  log: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
  /** Dynamic task managers exit after this long with nothing to claim. */
  idleTimeoutMs: number;
}

const StaticResponseSchema = z.object({
  outcomes: z.array(ItemOutcomeSchema),
  report: ReportRequestSchema,
});

export class JobRunner {
  readonly jobId: string;
  private readonly live = new Map<string, TaskManagerHandle>();
  private readonly speculated = new Set<string>();
  private readonly slots: Promise<void>[] = [];
  /** Exit handlers still writing to the database (task-manager rows, released splits). */
  private readonly exitsRecording = new Set<Promise<void>>();
  private started = 0;
  private extraStarted = 0;
  private stopping = false;
  private orchestratorStopping = false;
  private readonly secret: Buffer;

  constructor(
    private readonly job: JobWithSettings,
    readonly settings: StoredJobSettings,
    private readonly deps: JobRunnerDeps,
  ) {
    this.jobId = job.id;
    this.secret = Buffer.from(job.workerSecret, 'hex');
  }

  /** Task managers (or static slots) this job holds now. */
  held(): number {
    return this.settings.job.splitMode === 'static' ? this.slots.length : this.live.size;
  }

  /** Most task managers this job may start over its life before it is declared failed. */
  private restartBudget(target: number): number {
    return target + Math.max(2, target * (this.settings.job.maxSplitRetries + 1));
  }

  async start(numTaskManagers: number): Promise<void> {
    if (this.settings.job.splitMode === 'static') {
      for (let i = 0; i < numTaskManagers; i++) this.slots.push(this.staticSlot());
      return;
    }
    for (let i = 0; i < numTaskManagers; i++) await this.startDynamic();
  }

  /** One scheduler tick for this job. Returns a failure message when the job cannot go on. */
  async maintain(snapshot: JobProgressSnapshot, target: number): Promise<string | null> {
    if (this.stopping || this.settings.job.splitMode === 'static') return null;
    const unfinished = snapshot.splits.pending + snapshot.splits.running;
    if (unfinished === 0) return null;
    // Replace task managers that died while work remains (running splits whose TM died are
    // released to PENDING by the exit handler).
    const missing = Math.min(target, snapshot.splits.pending) - this.live.size;
    if (missing > 0) {
      // Once the restart budget is spent, no more task managers: the live ones may still finish.
      const restartsLeft = this.restartBudget(target) - this.started;
      if (restartsLeft <= 0 && this.live.size === 0) {
        return `no task manager could finish the job: ${this.started} were started and all exited`;
      }
      const got = restartsLeft > 0 ? this.deps.budget.acquire(Math.min(missing, restartsLeft)) : 0;
      for (let i = 0; i < got; i++) await this.startDynamic(true);
    }
    await this.speculate(snapshot);
    return null;
  }

  private async speculate(snapshot: JobProgressSnapshot): Promise<void> {
    const spec = this.settings.job.speculation;
    const median = snapshot.medianSplitMs;
    if (!spec.enabled || median === null || snapshot.splits.total === 0) return;
    if ((snapshot.splits.done + snapshot.splits.failed) / snapshot.splits.total < spec.quantile) return;
    const running = new Map<string, number>();
    for (const a of snapshot.runningAttempts) running.set(a.splitId, (running.get(a.splitId) ?? 0) + 1);
    for (const a of snapshot.runningAttempts) {
      const ageMs = snapshot.now.getTime() - a.startedAt.getTime();
      if (a.speculative || this.speculated.has(a.splitId) || running.get(a.splitId) !== 1) continue;
      if (ageMs <= spec.multiplier * median) continue;
      this.speculated.add(a.splitId);
      if (!(await this.deps.store.addSpeculativeAttempt(a.splitId))) continue;
      this.deps.log('info', 'speculative copy granted', { jobId: this.jobId, splitId: a.splitId, ageMs, medianMs: median });
      // Idle task managers waiting for work pick it up; start one more when none is idle.
      if (this.extraStarted < spec.extraTaskManagers && this.deps.budget.acquire(1) === 1) {
        this.extraStarted++;
        await this.startDynamic(true);
      }
    }
  }

  private newTaskManagerId(): string {
    return `${this.jobId.slice(0, 8)}-tm${this.started}-${randomBytes(3).toString('hex')}`;
  }

  private async startDynamic(alreadyAcquired = true): Promise<void> {
    void alreadyAcquired; // the caller took the budget slot
    const taskManagerId = this.newTaskManagerId();
    this.started++;
    const job = this.settings.job;
    const payload: Record<string, unknown> = {
      version: 1,
      mode: 'dynamic',
      jobId: this.jobId,
      taskManagerId,
      endpoint: { url: this.deps.workerEndpointUrl, token: createWorkerToken(this.secret, this.jobId, taskManagerId) },
      keepAlive: job.keepAlive,
      idleTimeoutMs: this.deps.idleTimeoutMs,
    };
    if (job.bucket !== null) payload.bucket = job.bucket;
    if (job.taskManagerConfig !== null) payload.config = job.taskManagerConfig;
    if (job.model !== null) payload.model = job.model;
    await this.launch(taskManagerId, payload, (exit) => this.onDynamicExit(taskManagerId, exit));
  }

  private async launch(taskManagerId: string, payload: unknown, onExit: (exit: TaskManagerExit) => Promise<void>): Promise<TaskManagerHandle | null> {
    await this.deps.store.createTaskManager({ id: taskManagerId, jobId: this.jobId, backend: this.deps.backend.name });
    let handle: TaskManagerHandle;
    try {
      handle = await this.deps.backend.start(taskManagerId, payload);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await onExit({ code: null, signal: null, error: `could not start: ${message}` });
      return null;
    }
    this.live.set(taskManagerId, handle);
    await this.deps.store.markTaskManagerRunning(taskManagerId);
    // Tracked so stop() can wait for the database writes before the caller closes the database.
    const recorded = handle.exited.then(onExit).catch((err: unknown) => {
      this.deps.log('error', 'task manager exit not recorded', { jobId: this.jobId, taskManagerId, error: err instanceof Error ? err.message : String(err) });
    });
    this.exitsRecording.add(recorded);
    void recorded.then(() => this.exitsRecording.delete(recorded));
    return handle;
  }

  private async onDynamicExit(taskManagerId: string, exit: TaskManagerExit): Promise<void> {
    this.live.delete(taskManagerId);
    this.deps.budget.release();
    try {
      await this.endTaskManager(taskManagerId, exit);
    } finally {
      this.deps.poke();
    }
  }

  private async endTaskManager(taskManagerId: string, exit: TaskManagerExit): Promise<void> {
    const failed = exit.error !== undefined;
    await this.deps.store.endTaskManager(taskManagerId, { status: failed ? 'FAILED' : 'EXITED', error: exit.error ?? null });
    // Its running attempts go back at once instead of waiting for their leases.
    const released = await this.deps.store.releaseTaskManager(taskManagerId, exit.error ?? 'exited', { chargeRetry: !this.orchestratorStopping });
    if (failed) {
      this.deps.log('warn', 'task manager failed', { jobId: this.jobId, taskManagerId, error: exit.error, releasedSplits: released.releasedSplits.length });
    }
  }

  /** Static mode: one slot = one task manager at a time, each invocation carrying one split. */
  private async staticSlot(): Promise<void> {
    const job = this.settings.job;
    let idleSince: number | null = null;
    try {
      while (!this.stopping) {
        const taskManagerId = this.newTaskManagerId();
        const claim = await this.deps.store.claim(this.jobId, taskManagerId, job.leaseMs);
        if (claim.kind === 'done') return;
        if (claim.kind === 'wait') {
          idleSince ??= Date.now();
          if (Date.now() - idleSince > this.deps.idleTimeoutMs) return;
          await sleep(claim.retryAfterMs);
          continue;
        }
        idleSince = null;
        this.started++;
        const payload: Record<string, unknown> = {
          version: 1,
          mode: 'static',
          jobId: this.jobId,
          taskManagerId,
          split: { splitId: claim.splitId, items: claim.items },
        };
        if (job.bucket !== null) payload.bucket = job.bucket;
        if (job.taskManagerConfig !== null) payload.config = job.taskManagerConfig;
        if (job.model !== null) payload.model = job.model;

        let exit: TaskManagerExit | undefined;
        const handle = await this.launch(taskManagerId, payload, async (e) => {
          exit = e;
        });
        if (handle === null) {
          await this.endTaskManager(taskManagerId, exit ?? { code: null, signal: null, error: 'could not start' });
          continue;
        }
        // The orchestrator holds the lease for the invocation (keep-alive on its behalf).
        const renew = setInterval(() => {
          void this.deps.store.heartbeat(claim.attemptId, job.leaseMs).then(
            (answer) => {
              if (answer.kind === 'abandon') handle.kill();
            },
            () => undefined,
          );
        }, Math.max(100, Math.floor(job.leaseMs / 3)));
        const result = await handle.exited;
        clearInterval(renew);
        this.live.delete(taskManagerId);
        await this.finishStaticInvocation(taskManagerId, claim.attemptId, result);
        this.deps.poke();
      }
    } catch (err) {
      this.deps.log('error', 'static slot stopped', { jobId: this.jobId, error: err instanceof Error ? err.message : String(err) });
    } finally {
      this.deps.budget.release();
    }
  }

  private async finishStaticInvocation(taskManagerId: string, attemptId: string, exit: TaskManagerExit): Promise<void> {
    const parsed = StaticResponseSchema.safeParse(exit.response);
    if (!parsed.success) {
      const error = exit.error ?? describeBadResponse(exit.response);
      await this.endTaskManager(taskManagerId, { ...exit, error });
      return;
    }
    const { outcomes, report } = parsed.data;
    await this.deps.store.complete(attemptId, outcomes, { wallMs: report.busyMs });
    await this.deps.store.report(this.jobId, report);
    await this.endTaskManager(taskManagerId, { code: 0, signal: null });
  }

  /**
   * Stop every task manager: they get `done` on their next claim; stragglers are killed after
   * `graceMs`. `orchestratorStopping`: the job goes on after a restart, so the splits of killed
   * task managers go back without using up a retry.
   */
  async stop(graceMs: number, options: { orchestratorStopping?: boolean } = {}): Promise<void> {
    this.stopping = true;
    if (options.orchestratorStopping) this.orchestratorStopping = true;
    const deadline = Date.now() + graceMs;
    while (this.live.size > 0 && Date.now() < deadline) await sleep(50);
    for (const handle of this.live.values()) handle.kill();
    await Promise.all([...this.live.values()].map((h) => h.exited));
    await Promise.all(this.slots);
    await Promise.all([...this.exitsRecording]);
  }
}

function describeBadResponse(response: unknown): string {
  if (typeof response === 'object' && response !== null && 'error' in response) {
    const e = (response as { error: { code?: unknown; message?: unknown } }).error;
    return `${String(e.code ?? 'ERROR')}: ${String(e.message ?? '')}`.slice(0, 1000);
  }
  return 'the invocation returned no valid response';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
