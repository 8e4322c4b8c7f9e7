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

  it('starts a batch beside a running one only once overlapAt calls wait', async () => {
    const started: number[][] = [];
    const gates: (() => void)[] = [];
    const batcher = new Batcher<number, number>({
      maxConcurrent: 2,
      overlapAt: 3,
      maxBatch: 10,
      run: async (batch) => {
        started.push(batch.map((e) => e.input));
        await new Promise<void>((resolve) => gates.push(resolve));
        for (const entry of batch) entry.resolve(entry.input);
      },
    });
    const calls = [batcher.submit(1)];
    expect(started).toEqual([[1]]); // an idle batcher starts at once
    calls.push(batcher.submit(2), batcher.submit(3));
    expect(started).toEqual([[1]]); // two waiting: below overlapAt, they wait for the running batch
    calls.push(batcher.submit(4));
    expect(started).toEqual([[1], [2, 3, 4]]); // three waiting: the second connection is used
    calls.push(batcher.submit(5), batcher.submit(6), batcher.submit(7));
    expect(started.length).toBe(2); // maxConcurrent reached
    gates.shift()!();
    await calls[0];
    await new Promise((resolve) => setImmediate(resolve));
    expect(started[2]).toEqual([5, 6, 7]); // a slot freed: the waiting calls go, however few
    for (const gate of gates.splice(0)) gate();
    await new Promise((resolve) => setImmediate(resolve));
    for (const gate of gates.splice(0)) gate();
    expect(await Promise.all(calls)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });
});
