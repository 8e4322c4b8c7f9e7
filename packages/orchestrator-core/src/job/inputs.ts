/**
 * Checks a job's input list. Hand-written rather than a zod array schema because lists run to
 * millions of entries: one pass, no per-item allocation, and at most a few issues reported.
 *   - with `bucket`: every input is an object key (any non-empty string without control characters);
 *   - without: an http(s) URL, or a local path / file: URL, which only the local backend can read.
 */
import { JOB_LIMITS } from './defaults.js';
import type { OptionsIssue } from './errors.js';
import { describeValue } from './issues.js';
import type { BackendName } from './types.js';

const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;
const HTTP_URL = /^https?:\/\/[^\s/?#@]+([/?#]|$)/i;

export function checkInputs(value: unknown, context: { bucket: string | null; backend: BackendName }): OptionsIssue[] {
  if (value === undefined) return [{ path: 'job.inputs', message: 'is required (a non-empty list of URLs, paths or keys)' }];
  if (!Array.isArray(value)) return [{ path: 'job.inputs', message: `must be an array of strings (got ${describeValue(value)})` }];
  if (value.length === 0) return [{ path: 'job.inputs', message: 'must not be empty (got [])' }];
  const issues: OptionsIssue[] = [];
  let more = 0;
  for (let i = 0; i < value.length; i++) {
    const problem = inputProblem(value[i], context);
    if (problem === null) continue;
    if (issues.length < JOB_LIMITS.maxInputIssues) issues.push({ path: `job.inputs[${i}]`, message: problem });
    else more++;
  }
  if (more > 0) issues.push({ path: 'job.inputs', message: `has ${more} more bad entr${more === 1 ? 'y' : 'ies'} not listed` });
  return issues;
}

function inputProblem(input: unknown, context: { bucket: string | null; backend: BackendName }): string | null {
  if (typeof input !== 'string') return `must be a string (got ${describeValue(input)})`;
  if (input.trim().length === 0) return `must be a non-empty string (got ${describeValue(input)})`;
  if (input.length > JOB_LIMITS.maxInputChars) {
    return `must be at most ${JOB_LIMITS.maxInputChars} characters (got ${input.length}: ${describeValue(input)})`;
  }
  if (CONTROL_CHARS.test(input)) return `must not contain control characters (got ${describeValue(input)})`;
  if (context.bucket !== null) return null; // an object key
  const scheme = SCHEME.exec(input)?.[1]?.toLowerCase();
  if (scheme === 'http' || scheme === 'https') {
    return HTTP_URL.test(input) ? null : `must be a valid http(s) URL (got ${describeValue(input)})`;
  }
  if (scheme !== undefined && scheme !== 'file') {
    return `has unsupported scheme '${scheme}:' (use http(s) URLs, local paths, or object keys with job.bucket) (got ${describeValue(input)})`;
  }
  if (context.backend === 'lambda') {
    return `is a local path, which a lambda task manager cannot read (use http(s) URLs, or keys with job.bucket) (got ${describeValue(input)})`;
  }
  return null;
}
