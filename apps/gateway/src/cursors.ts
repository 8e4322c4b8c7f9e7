/**
 * Opaque cursors: base64url of a small tagged JSON. Clients must not build them; a cursor that does
 * not decode is a BAD_USER_INPUT naming `after`.
 */
import { badUserInput } from './errors.js';
import { isUuid } from './ids.js';
import type { JobKey } from './ports.js';

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function decode(cursor: string): unknown {
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
}

const invalid = () => badUserInput([{ path: 'after', message: 'is not a cursor returned by this connection' }]);

export function jobCursor(job: { createdAt: Date; id: string }): string {
  return encode({ j: [job.createdAt.getTime(), job.id] });
}

export function decodeJobCursor(cursor: string | null | undefined): JobKey | null {
  if (cursor == null) return null;
  const v = decode(cursor) as { j?: unknown } | null;
  const j = v?.j;
  if (!Array.isArray(j) || j.length !== 2 || typeof j[0] !== 'number' || !Number.isFinite(j[0]) || typeof j[1] !== 'string' || !isUuid(j[1])) {
    throw invalid();
  }
  return { createdAt: new Date(j[0]), id: j[1] };
}

export function resultCursor(result: { inputIndex: number }): string {
  return encode({ r: result.inputIndex });
}

export function decodeResultCursor(cursor: string | null | undefined): number | null {
  if (cursor == null) return null;
  const v = decode(cursor) as { r?: unknown } | null;
  if (typeof v?.r !== 'number' || !Number.isSafeInteger(v.r) || v.r < 0) throw invalid();
  return v.r;
}
