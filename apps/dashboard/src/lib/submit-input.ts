/**
 * The submit form's fields → a `SubmitJobInput` (apps/gateway/schema.graphql). Kept apart from the
 * component so a test can check the shape against the schema.
 */

/** Field values as the form holds them: text inputs as strings, checkboxes as booleans. */
export interface SubmitFormFields {
  name: string;
  inputsMode: 'paste' | 'from';
  inputsText: string;
  inputsFrom: string;
  bucket: string;
  splitSize: string;
  numTaskManagers: string;
  backend: string;
  splitMode: string;
  speculation: boolean;
  quantile: string;
  multiplier: string;
  extraTaskManagers: string;
  keepAlive: boolean;
  heartbeatMs: string;
  leaseMs: string;
  maxSplitRetries: string;
  outputStorage: string;
  outputLocation: string;
  outputBucket: string;
  model: string;
  taskManagerConfig: string;
}

export class SubmitFormError extends Error {
  constructor(
    readonly field: keyof SubmitFormFields,
    message: string,
  ) {
    super(message);
    this.name = 'SubmitFormError';
  }
}

/** Lines → inputs: trimmed, blank lines and # comments skipped (the same rule as `inputsFrom`). */
export function parseInputLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

function num(f: SubmitFormFields, key: keyof SubmitFormFields): number | undefined {
  const v = String(f[key]).trim();
  if (v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new SubmitFormError(key, `${key} must be a number, got ${JSON.stringify(v)}`);
  return n;
}

/** Empty fields are left out, so the orchestrator's defaults → policy → caps fill them in. */
export function buildSubmitInput(f: SubmitFormFields): Record<string, unknown> {
  const input: Record<string, unknown> = { name: f.name.trim() };
  if (f.inputsMode === 'paste') input.inputs = parseInputLines(f.inputsText);
  else input.inputsFrom = f.inputsFrom.trim();
  if (f.bucket.trim()) input.bucket = f.bucket.trim();
  for (const key of ['splitSize', 'numTaskManagers', 'maxSplitRetries', 'leaseMs'] as const) {
    const n = num(f, key);
    if (n !== undefined) input[key] = n;
  }
  if (f.backend) input.backend = f.backend;
  if (f.splitMode) input.splitMode = f.splitMode;
  const speculation: Record<string, unknown> = { enabled: f.speculation };
  for (const key of ['quantile', 'multiplier', 'extraTaskManagers'] as const) {
    const n = num(f, key);
    if (n !== undefined) speculation[key] = n;
  }
  input.speculation = speculation;
  const keepAlive: Record<string, unknown> = { enabled: f.keepAlive };
  const heartbeat = num(f, 'heartbeatMs');
  if (heartbeat !== undefined) keepAlive.intervalMs = heartbeat;
  input.keepAlive = keepAlive;
  if (f.outputStorage) {
    input.output = {
      storage: f.outputStorage,
      ...(f.outputLocation.trim() ? { location: f.outputLocation.trim() } : {}),
      ...(f.outputBucket.trim() ? { bucket: f.outputBucket.trim() } : {}),
    };
  }
  if (f.model.trim()) input.model = f.model.trim();
  if (f.taskManagerConfig.trim()) {
    try {
      input.taskManagerConfig = JSON.parse(f.taskManagerConfig) as unknown;
    } catch (err) {
      throw new SubmitFormError('taskManagerConfig', `Task-manager config is not JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return input;
}
