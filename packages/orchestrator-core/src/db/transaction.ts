/** Running a unit of work in one transaction on one pooled connection. */
import type pg from 'pg';

/** SQLSTATEs after which the whole transaction may simply be run again. */
const RETRYABLE_SQLSTATES = new Set(['40001' /* serialization_failure */, '40P01' /* deadlock_detected */]);

export function isRetryableSqlError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && RETRYABLE_SQLSTATES.has(String((error as { code?: unknown }).code));
}

/**
 * BEGIN, `work`, COMMIT (ROLLBACK on error). Re-run up to `attempts` times when Postgres aborts it
 * for a deadlock or serialization failure, so `work` must not have effects outside the database.
 */
export async function withTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const client = await pool.connect();
    let broken = false;
    // A connection dropped mid-transaction (server stopped) emits 'error' on the checked-out client:
    // without a listener that would crash the process; the failing query rejects on its own.
    const onError = (): void => {
      broken = true;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      if (attempt < attempts && isRetryableSqlError(error)) continue;
      throw error;
    } finally {
      // A connection whose ROLLBACK failed is in an unknown state: drop it from the pool.
      client.off('error', onError);
      client.release(broken);
    }
  }
}
