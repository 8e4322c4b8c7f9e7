/** JobProgress from a store snapshot (pure): rolling rate, ETA and its floor from the splits, stuck splits. */
import { describe, expect, it } from 'vitest';
import { progressFromSnapshot } from '../dist/index.js';
import type { JobProgressSnapshot } from '../dist/store/types.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms);
const SETTINGS = { speculationMultiplier: 3, leaseMs: 60_000 };

/** A running job of 1,000 inputs started a minute ago; 100 inputs finished in the last 10 s. */
function snapshot(over: Partial<JobProgressSnapshot> & { done?: number; splits?: Partial<JobProgressSnapshot['splits']> } = {}): JobProgressSnapshot {
  const { done = 900, splits, ...rest } = over;
  return {
    job: {
      id: 'job-1', name: 'eta', status: 'RUNNING', backend: 'local', splitMode: 'dynamic', splitSize: 10, numSplits: 100,
      numTaskManagers: 4, totalInputs: 1000, maxSplitRetries: 1, doneCount: done, errorCount: 0, outputStorage: null,
      outputLocation: null, createdAt: ago(70_000), startedAt: ago(60_000), endedAt: null, error: null,
    },
    now: NOW,
    splits: { total: 100, pending: 0, running: 4, done: 90, failed: 0, ...splits },
    finishedInWindow: 100,
    windowMs: 10_000,
    medianSplitMs: 8_000,
    errorsByCode: [],
    runningAttempts: [],
    activeTaskManagers: 4,
    ...rest,
  } as JobProgressSnapshot;
}

const running = (ordinal: number, ageMs: number) => ({
  attemptId: `a${ordinal}`, splitId: `s${ordinal}`, ordinal, taskManagerId: `tm${ordinal}`, speculative: false,
  startedAt: ago(ageMs), leaseExpiresAt: new Date(NOW.getTime() + 50_000),
});

describe('progressFromSnapshot: ETA', () => {
  it('is remaining ÷ the rolling rate while that is the larger', () => {
    const p = progressFromSnapshot(snapshot({ done: 0, splits: { pending: 96, done: 0 } }), SETTINGS);
    expect(p.imagesPerSecond).toBe(10);
    expect(p.etaSeconds).toBe(100);
  });

  it('in the tail, is never less than the slowest running split still needs at the median split time', () => {
    // 100 left at 10/s says 10 s; the split started 1 s ago needs ~7 s more at the 8-s median,
    // so 10 s stands; with a rate of 50/s (2 s), the split's 7 s is the answer.
    const attempts = [running(96, 1_000), running(97, 5_000), running(98, 20_000)];
    expect(progressFromSnapshot(snapshot({ runningAttempts: attempts }), SETTINGS).etaSeconds).toBe(10);
    expect(progressFromSnapshot(snapshot({ runningAttempts: attempts, finishedInWindow: 500 }), SETTINGS).etaSeconds).toBe(7);
  });

  it('is at least one median split time while a split still waits', () => {
    const p = progressFromSnapshot(snapshot({ finishedInWindow: 1000, splits: { pending: 2 } }), SETTINGS);
    expect(p.imagesPerSecond).toBe(100);
    expect(p.etaSeconds).toBe(8);
  });

  it('falls back to the rate alone before any split is done, and is null when there is no rate or the job ended', () => {
    expect(progressFromSnapshot(snapshot({ medianSplitMs: null, runningAttempts: [running(1, 0)] }), SETTINGS).etaSeconds).toBe(10);
    expect(progressFromSnapshot(snapshot({ finishedInWindow: 0, runningAttempts: [running(1, 0)] }), SETTINGS).etaSeconds).toBeNull();
    const ended = snapshot({ done: 1000 });
    ended.job.endedAt = NOW;
    ended.job.status = 'SUCCEEDED';
    expect(progressFromSnapshot(ended, SETTINGS).etaSeconds).toBeNull();
  });

  it('a running split already past the median adds nothing (no estimate for it), and is reported SLOW past the multiplier', () => {
    const p = progressFromSnapshot(snapshot({ finishedInWindow: 500, runningAttempts: [running(99, 30_000)] }), SETTINGS);
    expect(p.etaSeconds).toBe(2);
    expect(p.stuckSplits).toMatchObject([{ ordinal: 99, reason: 'SLOW', ageMs: 30_000, medianSplitMs: 8_000 }]);
  });
});
