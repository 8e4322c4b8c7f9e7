import { describe, expect, it } from 'vitest';
import { BoundedQueue } from '../src/index.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('BoundedQueue', () => {
  it('is FIFO and makes producers wait while full', async () => {
    const q = new BoundedQueue<number>(2);
    await q.push(1);
    await q.push(2);
    let thirdIn = false;
    const third = q.push(3).then(() => {
      thirdIn = true;
    });
    await tick();
    expect(thirdIn).toBe(false);
    expect(q.size).toBe(2);
    expect(await q.shift()).toBe(1);
    await third;
    expect(thirdIn).toBe(true);
    expect([await q.shift(), await q.shift()]).toEqual([2, 3]);
  });

  it('hands an item straight to a waiting consumer', async () => {
    const q = new BoundedQueue<string>(1);
    const taken = q.shift();
    await q.push('a');
    expect(await taken).toBe('a');
    expect(q.size).toBe(0);
  });

  it('tryShift never waits', async () => {
    const q = new BoundedQueue<number>(3);
    expect(q.tryShift()).toBeUndefined();
    await q.push(7);
    expect(q.tryShift()).toBe(7);
  });

  it('drains after close, then returns undefined and refuses pushes', async () => {
    const q = new BoundedQueue<number>(1);
    await q.push(1);
    const waiting = q.push(2); // full: waits
    const consumerAfterDrain = (async () => {
      const got: Array<number | undefined> = [];
      for (let i = 0; i < 3; i++) got.push(await q.shift());
      return got;
    })();
    q.close();
    await waiting;
    expect(await consumerAfterDrain).toEqual([1, 2, undefined]);
    await expect(q.push(3)).rejects.toThrow(/closed/);
  });

  it('wakes idle consumers on close', async () => {
    const q = new BoundedQueue<number>(1);
    const a = q.shift();
    const b = q.shift();
    q.close();
    expect(await Promise.all([a, b])).toEqual([undefined, undefined]);
  });

  it('refuses a capacity below 1', () => {
    expect(() => new BoundedQueue(0)).toThrow(/capacity/);
  });
});
