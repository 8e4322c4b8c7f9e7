/**
 * Execution environments of the local Lambda server: one child process (./runtime-child.ts) per
 * concurrent invocation, kept warm after it and reused for the same code and configuration (a
 * redeploy gets fresh ones), retired after `idleTtlMs` unused. A timeout kills the child, as
 * Lambda ends the environment of a timed-out invocation.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface SandboxSpec {
  /** Code + configuration identity: environments are only reused for the same key. */
  key: string;
  codeDir: string;
  handler: string;
  env: Record<string, string>;
  timeoutS: number;
  memoryMb: number;
  functionName: string;
  version: string;
  invokedArn: string;
}

export interface InvokeOutcome {
  ok: boolean;
  /** JSON text: the handler's result, or Lambda's error body. */
  payload: string;
  errorType?: string;
  /** The last 4 KB of what the environment printed during this invocation. */
  logTail: string;
  coldStart: boolean;
  pid: number;
  durationMs: number;
}

interface Sandbox {
  key: string;
  child: ChildProcess;
  /** Settles when the runtime process is up (null) or exited before it was (why). */
  ready: Promise<string | null>;
  busy: boolean;
  idleTimer: NodeJS.Timeout | null;
  output: string;
}

const CHILD = fileURLToPath(new URL('./runtime-child.ts', import.meta.url));
// The child is TypeScript: run it through the same loader the tests use.
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const LOG_TAIL_BYTES = 4096;

export class SandboxPool {
  private readonly sandboxes = new Set<Sandbox>();
  private closed = false;

  constructor(
    private readonly options: { idleTtlMs: number; region: string; echo: boolean },
  ) {}

  /** Environments alive now (busy or warm). */
  size(key?: string): number {
    return [...this.sandboxes].filter((s) => key === undefined || s.key === key).length;
  }

  busy(keyPrefix: string): number {
    return [...this.sandboxes].filter((s) => s.busy && s.key.startsWith(keyPrefix)).length;
  }

  /** Retire the idle environments whose key starts with `keyPrefix` (after a redeploy). */
  retireIdle(keyPrefix: string): void {
    for (const s of this.sandboxes) if (!s.busy && s.key.startsWith(keyPrefix)) this.retire(s);
  }

  async invoke(spec: SandboxSpec, event: string, requestId: string): Promise<InvokeOutcome> {
    if (this.closed) throw new Error('local lambda server is closed');
    const started = Date.now();
    let sandbox = [...this.sandboxes].find((s) => !s.busy && s.key === spec.key && s.child.connected);
    const coldStart = sandbox === undefined;
    sandbox ??= this.spawn(spec);
    sandbox.busy = true;
    sandbox.output = '';
    if (sandbox.idleTimer) clearTimeout(sandbox.idleTimer);
    sandbox.idleTimer = null;
    const s = sandbox;
    // Lambda counts the function timeout from the invocation, not from the environment's start:
    // a cold environment's clock starts once its runtime process is up.
    if (coldStart) {
      const booted = await s.ready;
      if (booted !== null) {
        this.retire(s);
        return { ok: false, errorType: 'Runtime.ExitError', payload: JSON.stringify({ errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: Runtime exited during init: ${booted}` }), logTail: s.output.slice(-LOG_TAIL_BYTES), coldStart, pid: s.child.pid ?? -1, durationMs: Date.now() - started };
      }
    }
    const deadlineMs = Date.now() + spec.timeoutS * 1000;

    const outcome = await new Promise<Omit<InvokeOutcome, 'logTail' | 'coldStart' | 'pid' | 'durationMs'> & { retire: boolean }>((resolve) => {
      const fail = (errorType: string, errorMessage: string, retire: boolean) =>
        resolve({ ok: false, errorType, payload: JSON.stringify({ errorType, errorMessage }), retire });
      const timer = setTimeout(
        () => fail('Sandbox.Timedout', `RequestId: ${requestId} Error: Task timed out after ${spec.timeoutS.toFixed(2)} seconds`, true),
        Math.max(0, deadlineMs - Date.now()),
      );
      const onMessage = (message: { type?: string; requestId?: string | null; payload?: string; error?: { errorType: string }; fatal?: boolean }) => {
        if (message.requestId !== requestId && message.requestId !== null) return;
        cleanup();
        if (message.type === 'result') resolve({ ok: true, payload: message.payload ?? 'null', retire: false });
        else resolve({ ok: false, errorType: message.error?.errorType ?? 'Error', payload: JSON.stringify(message.error ?? {}), retire: message.fatal === true });
      };
      const onExit = (code: number | null, signal: string | null) => {
        cleanup();
        fail('Runtime.ExitError', `RequestId: ${requestId} Error: Runtime exited ${signal ? `with signal: ${signal}` : `with error: exit status ${String(code)}`}`, true);
      };
      const cleanup = () => {
        clearTimeout(timer);
        s.child.off('message', onMessage);
        s.child.off('exit', onExit);
      };
      s.child.on('message', onMessage);
      s.child.once('exit', onExit);
      s.child.send({
        type: 'invoke',
        requestId,
        event,
        deadlineMs,
        functionName: spec.functionName,
        functionVersion: spec.version,
        invokedFunctionArn: spec.invokedArn,
        memoryLimitInMB: String(spec.memoryMb),
      });
    });

    const logTail = Buffer.from(s.output).subarray(-LOG_TAIL_BYTES).toString('utf8');
    if (outcome.retire || this.closed) this.retire(s);
    else {
      s.busy = false;
      s.idleTimer = setTimeout(() => this.retire(s), this.options.idleTtlMs);
      s.idleTimer.unref();
    }
    const result: InvokeOutcome = { ok: outcome.ok, payload: outcome.payload, logTail, coldStart, pid: s.child.pid ?? -1, durationMs: Date.now() - started };
    if (outcome.errorType !== undefined) result.errorType = outcome.errorType;
    return result;
  }

  private spawn(spec: SandboxSpec): Sandbox {
    const child = fork(CHILD, [], {
      cwd: spec.codeDir,
      execArgv: ['--import', TSX],
      // A clean environment, like Lambda's: the code finds nothing of this machine but what it shipped.
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        LANG: 'en_US.UTF-8',
        TZ: ':UTC',
        ...spec.env,
        LAMBDA_TASK_ROOT: spec.codeDir,
        _HANDLER: spec.handler,
        AWS_REGION: this.options.region,
        AWS_DEFAULT_REGION: this.options.region,
        AWS_LAMBDA_FUNCTION_NAME: spec.functionName,
        AWS_LAMBDA_FUNCTION_VERSION: spec.version,
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x',
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    const ready = new Promise<string | null>((resolve) => {
      const onMessage = (message: { type?: string }) => {
        if (message?.type !== 'ready') return;
        child.off('message', onMessage);
        resolve(null);
      };
      child.on('message', onMessage);
      child.once('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `exit status ${String(code)}`));
    });
    const sandbox: Sandbox = { key: spec.key, child, ready, busy: false, idleTimer: null, output: '' };
    const collect = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      sandbox.output = (sandbox.output + text).slice(-LOG_TAIL_BYTES * 2);
      if (this.options.echo) process.stderr.write(`[lambda ${spec.functionName}] ${text}`);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('exit', () => {
      if (sandbox.idleTimer) clearTimeout(sandbox.idleTimer);
      this.sandboxes.delete(sandbox);
    });
    child.on('error', () => undefined); // reported through 'exit'
    this.sandboxes.add(sandbox);
    return sandbox;
  }

  private retire(sandbox: Sandbox): void {
    if (sandbox.idleTimer) clearTimeout(sandbox.idleTimer);
    if (sandbox.child.exitCode === null && sandbox.child.signalCode === null) sandbox.child.kill('SIGKILL');
  }

  /** Kills every environment and waits until each process is gone. */
  async close(): Promise<void> {
    this.closed = true;
    const waits = [...this.sandboxes].map(
      (s) =>
        new Promise<void>((resolve) => {
          if (s.child.exitCode !== null || s.child.signalCode !== null) return resolve();
          s.child.once('exit', () => resolve());
          this.retire(s);
        }),
    );
    await Promise.all(waits);
  }
}
