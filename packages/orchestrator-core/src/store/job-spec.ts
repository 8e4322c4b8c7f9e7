/** Checking a JobSpec before it is stored; the error names the bad field and value. */
import { z } from 'zod';
import { StoreError, StoreErrorCode } from './errors.js';
import type { JobSpec } from './types.js';

const int = (min: number) => z.number().int().min(min).max(2 ** 31 - 1);

const JobSpecSchema = z.object({
  name: z.string().min(1),
  backend: z.string().min(1),
  splitMode: z.enum(['dynamic', 'static']),
  splitSize: int(1),
  numTaskManagers: int(1),
  maxSplitRetries: int(0),
  // An array of strings, checked without building a copy: jobs may carry a million inputs.
  inputs: z.custom<readonly string[]>(
    (value) => Array.isArray(value) && value.length < 2 ** 31 && value.every((v) => typeof v === 'string'),
    'must be an array of strings',
  ),
  settings: z.unknown(),
  workerSecret: z.string().min(16).optional(),
  outputStorage: z.string().nullable().optional(),
  outputLocation: z.string().nullable().optional(),
});

export function validateJobSpec(spec: JobSpec): JobSpec {
  const parsed = JobSpecSchema.safeParse(spec);
  if (parsed.success) return spec;
  const issue = parsed.error.issues[0];
  const field = issue?.path.map(String).join('.') ?? '';
  const value = field === 'inputs' ? '(not an array of strings)' : JSON.stringify((spec as unknown as Record<string, unknown>)[field]);
  throw new StoreError(StoreErrorCode.INVALID_JOB_SPEC, `job.${field} ${issue?.message ?? 'is invalid'} (got ${value})`);
}
