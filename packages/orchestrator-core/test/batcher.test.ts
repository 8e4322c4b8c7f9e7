import { describe, expect, it } from 'vitest';
import { Batcher } from '../dist/store/batcher.js';

describe('Batcher', () => {
  it('groups calls that arrive while a batch runs, and answers each', async () => {
    const sizes: number[] = [];
    const batcher = new Batcher<number, number>({
      maxConcurrent: 1,
      maxBatch: 3,
      run: async (batch) => {
        sizes.push(batch.length);
        await new Promise((resolve) => setTimeout(resolve, 5));
        for (const entry of batch) entry.resolve(entry.input * 2);
      },
    });
    expect(await Promise.all([1, 2, 3, 4, 5].map((n) => batcher.submit(n)))).toEqual([2, 4, 6, 8, 10]);
    expect(sizes).toEqual([1, 3, 1]);
  });

  it('rejects what a batch leaves unanswered (INTERNAL) or what it fails with, and leaves answered calls alone', async () => {
    const batcher = new Batcher<number, number>({
      maxConcurrent: 1,
      maxBatch: 10,
      run: async (batch) => {
        for (const entry of batch) if (entry.input === 1) entry.resolve(1);
        if (batch.some((entry) => entry.input < 0)) throw new Error('boom');
      },
    });
    const left = await Promise.allSettled([batcher.submit(1)]);
    expect(left[0]).toEqual({ status: 'fulfilled', value: 1 });
    const [first, second] = await Promise.allSettled([batcher.submit(1), batcher.submit(2)]);
    expect(first).toEqual({ status: 'fulfilled', value: 1 });
    expect(second).toMatchObject({ status: 'rejected', reason: { code: 'INTERNAL' } });
    const failed = await Promise.allSettled([batcher.submit(1), batcher.submit(1), batcher.submit(-1)]);
    expect(failed.map((f) => f.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect(failed[2]).toMatchObject({ reason: { message: 'boom' } });
  });
});
