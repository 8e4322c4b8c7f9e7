import { describe, expect, it } from 'vitest';
import { ClaimedAttempts } from '../dist/store/claimed-attempts.js';

const facts = (n: number) => ({ jobId: 'job', taskManagerId: 'tm', firstIndex: 0, inputs: Array.from({ length: n }, (_, i) => `in-${i}`) });

describe('ClaimedAttempts', () => {
  it('keeps at most maxInputs inputs, dropping the oldest claims first', () => {
    const claimed = new ClaimedAttempts(25);
    claimed.remember('a', facts(10));
    claimed.remember('b', facts(10));
    expect(claimed.size).toBe(2);
    claimed.remember('c', facts(10)); // 30 > 25: a goes
    expect(claimed.get('a')).toBeUndefined();
    expect(claimed.get('b')?.inputs).toHaveLength(10);
    expect(claimed.get('c')?.inputs).toHaveLength(10);
    claimed.forget('b');
    claimed.remember('d', facts(15)); // 25: nothing more goes
    expect([claimed.get('c'), claimed.get('d')].every((f) => f !== undefined)).toBe(true);
    expect(claimed.size).toBe(2);
  });

  it('remembering an attempt again replaces it without counting its inputs twice; 0 keeps nothing', () => {
    const claimed = new ClaimedAttempts(10);
    claimed.remember('a', facts(10));
    claimed.remember('a', facts(10));
    expect(claimed.get('a')).toBeDefined();
    claimed.forget('a');
    claimed.forget('a');
    claimed.remember('b', facts(10));
    expect(claimed.get('b')).toBeDefined();
    const none = new ClaimedAttempts(0);
    none.remember('a', facts(1));
    expect(none.size).toBe(0);
  });
});
