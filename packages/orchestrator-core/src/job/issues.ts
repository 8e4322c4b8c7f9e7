/** zod issues → `{ path: 'job.splitSize', message: 'must be an integer ≥ 1 (got -3)' }`. */
import type { z } from 'zod';
import type { OptionsIssue } from './errors.js';

/** Short, safe rendering of a user value for an error message (never the whole input list). */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (Array.isArray(value)) return value.length > 3 ? `an array of ${value.length}` : safeJson(value);
  return safeJson(value);
}

function safeJson(value: unknown): string {
  try {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > 80 ? `${text.slice(0, 80)}…` : text;
  } catch {
    return typeof value;
  }
}

export function joinPath(root: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : `${acc}.${String(key)}`), root);
}

export function issuesFromZod(root: string, issues: readonly z.core.$ZodIssue[]): OptionsIssue[] {
  return issues.map((issue) => {
    const path = joinPath(root, issue.path);
    if (issue.code === 'unrecognized_keys') {
      return { path, message: `has unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}` };
    }
    const got = 'input' in issue ? ` (got ${describeValue(issue.input)})` : '';
    return { path, message: `${issue.message}${got}` };
  });
}
