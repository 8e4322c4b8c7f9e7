/**
 * The local Lambda server's control plane: functions, their code, versions and aliases, with
 * Lambda's states. Code arrives as a zip, is unpacked in the background (State Pending → Active
 * after CreateFunction, LastUpdateStatus InProgress → Successful after an update, so the SDK's
 * waiters have something to wait for), and a second update while one is in progress is refused
 * with ResourceConflictException, as Lambda does. Invocations keep using the last active code while
 * an update is in progress.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { extractZip, readZip, ZipFormatError, type UnzippedEntry } from './unzip.js';

/** An answer in Lambda's error format: status, `x-amzn-ErrorType`, `{ Type, Message, ...extra }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface FunctionSettings {
  runtime: string;
  role: string;
  handler: string;
  description: string;
  timeoutS: number;
  memoryMb: number;
  env: Record<string, string>;
  subnetIds: string[];
  securityGroupIds: string[];
}

export interface CodeVersion {
  codeSha256: string;
  codeSize: number;
  dir: string;
}

/** What an invocation runs: $LATEST's current state or a published version's snapshot. */
export interface Resolved {
  fn: LambdaFunction;
  version: string;
  settings: FunctionSettings;
  code: CodeVersion | null;
  arn: string;
}

export interface LambdaFunction {
  name: string;
  arn: string;
  settings: FunctionSettings;
  /** Code invocations run (null until the first unpack finished). */
  active: CodeVersion | null;
  /** The code last uploaded (may still be unpacking). */
  latest: CodeVersion;
  state: 'Pending' | 'Active' | 'Failed';
  lastUpdateStatus: 'InProgress' | 'Successful' | 'Failed';
  stateReason: string | null;
  lastModified: string;
  revisionId: string;
  /** Bumped by every configuration change: warm environments are reused only within one. */
  configRevision: number;
  versions: Map<string, { settings: FunctionSettings; code: CodeVersion; lastModified: string }>;
  aliases: Map<string, { version: string; revisionId: string; description: string }>;
  eventConfig: Map<string, { maximumRetryAttempts: number; maximumEventAgeS: number }>;
}

export const MAX_UNZIPPED_BYTES = 262_144_000;

export class FunctionRegistry {
  readonly functions = new Map<string, LambdaFunction>();
  private readonly unpacking = new Set<Promise<void>>();

  constructor(
    private readonly workDir: string,
    private readonly region: string,
    private readonly accountId: string,
    private readonly unpackDelayMs: number,
  ) {}

  arnOf(name: string, qualifier?: string): string {
    return `arn:aws:lambda:${this.region}:${this.accountId}:function:${name}${qualifier ? `:${qualifier}` : ''}`;
  }

  /** Name, partial or full ARN (with an optional :qualifier) → the function and the qualifier it named. */
  get(nameOrArn: string): { fn: LambdaFunction; qualifier: string | undefined } {
    const m = /^(?:arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:|\d{12}:function:)?([A-Za-z0-9_-]{1,64})(?::([A-Za-z0-9_$-]{1,128}))?$/.exec(nameOrArn);
    if (!m) throw new ApiError(400, 'ValidationException', `1 validation error detected: Value '${nameOrArn}' at 'functionName' failed to satisfy constraint`);
    const fn = this.functions.get(m[1]!);
    if (!fn) throw new ApiError(404, 'ResourceNotFoundException', `Function not found: ${this.arnOf(m[1]!)}`);
    return { fn, qualifier: m[2] };
  }

  resolve(nameOrArn: string, qualifierParam: string | undefined): Resolved {
    const { fn, qualifier: inName } = this.get(nameOrArn);
    if (inName !== undefined && qualifierParam !== undefined && inName !== qualifierParam) {
      throw new ApiError(400, 'InvalidParameterValueException', 'The derived qualifier from the function name does not match the specified qualifier.');
    }
    const qualifier = qualifierParam ?? inName;
    if (qualifier === undefined || qualifier === '$LATEST') return { fn, version: '$LATEST', settings: fn.settings, code: fn.active, arn: fn.arn };
    let version = qualifier;
    if (!/^\d+$/.test(qualifier)) {
      const alias = fn.aliases.get(qualifier);
      if (!alias) throw new ApiError(404, 'ResourceNotFoundException', `Function not found: ${this.arnOf(fn.name, qualifier)}`);
      version = alias.version;
      if (version === '$LATEST') return { fn, version, settings: fn.settings, code: fn.active, arn: this.arnOf(fn.name, qualifier) };
    }
    const v = fn.versions.get(version);
    if (!v) throw new ApiError(404, 'ResourceNotFoundException', `Function not found: ${this.arnOf(fn.name, version)}`);
    return { fn, version, settings: v.settings, code: v.code, arn: this.arnOf(fn.name, qualifier) };
  }

  create(name: string, settings: FunctionSettings, zip: Buffer): LambdaFunction {
    if (this.functions.has(name)) throw new ApiError(409, 'ResourceConflictException', `Function already exist: ${name}`);
    const { code, entries } = this.acceptZip(name, zip);
    const fn: LambdaFunction = {
      name,
      arn: this.arnOf(name),
      settings,
      active: null,
      latest: code,
      state: 'Pending',
      lastUpdateStatus: 'InProgress',
      stateReason: 'The function is being created.',
      lastModified: lambdaDate(),
      revisionId: randomUUID(),
      configRevision: 0,
      versions: new Map(),
      aliases: new Map(),
      eventConfig: new Map(),
    };
    this.functions.set(name, fn);
    this.unpack(fn, code, entries);
    return fn;
  }

  updateCode(fn: LambdaFunction, zip: Buffer): void {
    this.refuseWhileUpdating(fn);
    const { code, entries } = this.acceptZip(fn.name, zip);
    fn.latest = code;
    fn.lastUpdateStatus = 'InProgress';
    fn.lastModified = lambdaDate();
    fn.revisionId = randomUUID();
    this.unpack(fn, code, entries);
  }

  updateConfiguration(fn: LambdaFunction, change: Partial<FunctionSettings>): void {
    this.refuseWhileUpdating(fn);
    fn.settings = { ...fn.settings, ...change };
    fn.configRevision++;
    fn.lastModified = lambdaDate();
    fn.revisionId = randomUUID();
  }

  /** A new version from $LATEST, or the last one when nothing changed since (as Lambda does). */
  publish(fn: LambdaFunction, expectedSha: string | undefined): string {
    this.refuseWhileUpdating(fn);
    if (fn.active === null) throw new ApiError(409, 'ResourceConflictException', 'The function is not active yet.');
    if (expectedSha !== undefined && expectedSha !== fn.active.codeSha256) {
      throw new ApiError(412, 'PreconditionFailedException', `CodeSHA256 (${expectedSha}) is different from current CodeSHA256 in $LATEST (${fn.active.codeSha256}). Please try again with the CodeSHA256 in $LATEST.`);
    }
    const numbers = [...fn.versions.keys()].map(Number);
    const last = numbers.length === 0 ? null : String(Math.max(...numbers));
    const lastVersion = last === null ? undefined : fn.versions.get(last);
    if (lastVersion && lastVersion.code.codeSha256 === fn.active.codeSha256 && JSON.stringify(lastVersion.settings) === JSON.stringify(fn.settings)) return last!;
    const version = String((numbers.length === 0 ? 0 : Math.max(...numbers)) + 1);
    fn.versions.set(version, { settings: structuredClone(fn.settings), code: fn.active, lastModified: lambdaDate() });
    return version;
  }

  /** Resolves once every upload received so far is unpacked (or failed). */
  async settled(): Promise<void> {
    await Promise.all([...this.unpacking]);
  }

  private refuseWhileUpdating(fn: LambdaFunction): void {
    if (fn.state === 'Pending' || fn.lastUpdateStatus === 'InProgress') {
      throw new ApiError(409, 'ResourceConflictException', `The operation cannot be performed at this time. An update is in progress for resource: ${fn.arn}`);
    }
  }

  /** Lambda reads the zip when it receives it: a broken one is refused at once. */
  private acceptZip(name: string, zip: Buffer): { code: CodeVersion; entries: UnzippedEntry[] } {
    let entries: UnzippedEntry[];
    try {
      entries = readZip(zip, MAX_UNZIPPED_BYTES);
    } catch (err) {
      const why = err instanceof ZipFormatError ? err.message : String(err);
      throw new ApiError(400, 'InvalidParameterValueException', `Could not unzip uploaded file. Please check your file, then try to upload again. (${why})`);
    }
    const digest = createHash('sha256').update(zip);
    const codeSha256 = digest.copy().digest('base64');
    const dirName = `${digest.digest('hex').slice(0, 16)}-${randomUUID().slice(0, 8)}`;
    return { code: { codeSha256, codeSize: zip.length, dir: path.join(this.workDir, name, dirName) }, entries };
  }

  private unpack(fn: LambdaFunction, code: CodeVersion, entries: UnzippedEntry[]): void {
    const work = (async () => {
      // Lambda takes a moment to prepare the code; the SDK's waiters poll through it.
      await new Promise((resolve) => setTimeout(resolve, this.unpackDelayMs));
      try {
        await mkdir(code.dir, { recursive: true });
        await extractZip(entries, code.dir);
        if (fn.latest !== code) return; // a newer upload replaced it meanwhile
        fn.active = code;
        fn.state = 'Active';
        fn.lastUpdateStatus = 'Successful';
        fn.stateReason = null;
      } catch (err) {
        if (fn.latest !== code) return;
        fn.lastUpdateStatus = 'Failed';
        if (fn.state === 'Pending') fn.state = 'Failed';
        fn.stateReason = `Could not unpack the code: ${String(err)}`;
      }
    })();
    this.unpacking.add(work);
    void work.finally(() => this.unpacking.delete(work));
  }
}

/** Lambda's LastModified format: 2024-05-01T12:00:00.000+0000. */
export function lambdaDate(date = new Date()): string {
  return date.toISOString().replace('Z', '+0000');
}
