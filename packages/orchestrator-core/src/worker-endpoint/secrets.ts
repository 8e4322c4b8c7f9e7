/**
 * The worker endpoint's job secrets, read once per job: a job's secret never changes, and the
 * endpoint needs it on every request (token check), so it is kept in memory, bounded (oldest job
 * out first). Jobs that do not exist are not remembered: a job created later is found.
 */
import type { WorkerSecrets } from './server.js';

export const SECRET_CACHE_DEFAULT_MAX = 1_000;

/** `lookUp` returns the job's secret as hex, or null when the job does not exist. */
export function cachedWorkerSecrets(lookUp: (jobId: string) => Promise<string | null>, maxJobs = SECRET_CACHE_DEFAULT_MAX): WorkerSecrets {
  const secrets = new Map<string, Buffer>();
  return {
    async secretFor(jobId) {
      const cached = secrets.get(jobId);
      if (cached) return cached;
      const hex = await lookUp(jobId);
      if (hex === null) return null;
      const secret = Buffer.from(hex, 'hex');
      if (secrets.size >= maxJobs) secrets.delete(secrets.keys().next().value as string);
      secrets.set(jobId, secret);
      return secret;
    },
  };
}
