/**
 * Worker tokens: `${jobId}.${taskManagerId}.${base64url(HMAC-SHA256(jobSecret, jobId + ':' + taskManagerId))}`.
 * The orchestrator keeps one random secret per job and hands each task manager its token in the
 * start payload; the endpoint recomputes the MAC from the job's secret and compares in constant time.
 * Ids are restricted to [A-Za-z0-9_-] so the dots separate the three parts unambiguously.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const ID = /^[A-Za-z0-9_-]{1,128}$/;
/** A SHA-256 MAC is 32 bytes: 43 base64url characters without padding. */
const MAC = /^[A-Za-z0-9_-]{43}$/;

/** Bytes of a fresh job secret: 256 bits, the HMAC-SHA256 key size. */
export const JOB_SECRET_BYTES = 32;

export function createJobSecret(): Buffer {
  return randomBytes(JOB_SECRET_BYTES);
}

function mac(secret: Buffer, jobId: string, taskManagerId: string): string {
  return createHmac('sha256', secret).update(`${jobId}:${taskManagerId}`).digest('base64url');
}

export function createWorkerToken(secret: Buffer, jobId: string, taskManagerId: string): string {
  if (!ID.test(jobId)) throw new TypeError(`jobId must be 1–128 of A-Z, a-z, 0-9, _ and - (got ${JSON.stringify(jobId)})`);
  if (!ID.test(taskManagerId)) throw new TypeError(`taskManagerId must be 1–128 of A-Z, a-z, 0-9, _ and - (got ${JSON.stringify(taskManagerId)})`);
  if (secret.length === 0) throw new TypeError('secret must not be empty');
  return `${jobId}.${taskManagerId}.${mac(secret, jobId, taskManagerId)}`;
}

export interface WorkerTokenParts {
  jobId: string;
  taskManagerId: string;
  mac: string;
}

/** Split a token into its parts without checking the MAC (to find the job's secret); null when malformed. */
export function parseWorkerToken(token: string): WorkerTokenParts | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [jobId, taskManagerId, given] = parts as [string, string, string];
  if (!ID.test(jobId) || !ID.test(taskManagerId) || !MAC.test(given)) return null;
  return { jobId, taskManagerId, mac: given };
}

/** The token's job and task manager when its MAC matches `secret`, else null. */
export function verifyWorkerToken(secret: Buffer, token: string): { jobId: string; taskManagerId: string } | null {
  const parts = parseWorkerToken(token);
  if (parts === null || secret.length === 0) return null;
  const expected = Buffer.from(mac(secret, parts.jobId, parts.taskManagerId), 'ascii');
  const given = Buffer.from(parts.mac, 'ascii');
  // Both are 43 ASCII characters here (MAC regex), so timingSafeEqual's equal-length rule holds.
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  return { jobId: parts.jobId, taskManagerId: parts.taskManagerId };
}
