/** Bearer-token check shared by HTTP and graphql-ws. Compared in constant time over SHA-256 digests. */
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

export type TokenCheck = (presented: unknown) => boolean;

/** `expected` null: no token configured, everything passes. */
export function tokenChecker(expected: string | null): TokenCheck {
  if (expected === null) return () => true;
  const want = digest(expected);
  return (presented) => {
    if (typeof presented !== 'string') return false;
    const token = presented.replace(/^Bearer\s+/i, '');
    return timingSafeEqual(digest(token), want);
  };
}

/** graphql-ws clients send `connectionParams: { authorization: 'Bearer …' }` (or `apiToken`). */
export function tokenFromConnectionParams(params: Readonly<Record<string, unknown>> | undefined): unknown {
  if (!params) return undefined;
  return params['authorization'] ?? params['Authorization'] ?? params['apiToken'];
}
