/**
 * Live progress on stderr. On a TTY one line is redrawn in place (bar, done/total, errors, img/s,
 * ETA); elsewhere (CI logs, pipes) a plain line is printed every few seconds so logs stay readable.
 * Counts come either one by one (`tick`, rate measured here) or as a whole state reported by
 * someone who measures it already (`update`, e.g. the gateway's jobProgress events).
 */
import type { Writable } from 'node:stream';
import { PROGRESS_DEFAULTS } from './defaults.js';
import { formatDuration } from './format.js';

export interface ProgressBarOptions {
  total: number;
  /** Default process.stderr. */
  stream?: Writable & { isTTY?: boolean; columns?: number };
  /** Overrides the stream's own isTTY (tests; `--no-progress`-style callers pass false and a null stream instead). */
  tty?: boolean;
  /** Text before the bar, e.g. 'classify'. */
  label?: string;
  ttyRedrawMs?: number;
  plainLineMs?: number;
  rateWindowMs?: number;
  /** Clock in ms; injectable so the rate and ETA maths can be tested without waiting. */
  now?: () => number;
}

export interface ProgressSnapshot {
  done: number;
  errors: number;
  total: number;
  /** Items per second over the rolling window (0 until two samples exist). */
  ratePerSec: number;
  /** Seconds left at that rate; null when unknown. */
  etaSec: number | null;
  elapsedMs: number;
}

/** A whole state from elsewhere; rate and ETA given here replace the bar's own measurement. */
export interface ProgressUpdate {
  /** Items finished (with a result or an error). */
  done: number;
  errors: number;
  ratePerSec?: number;
  etaSec?: number | null;
  /** Extra text after the counters, e.g. 'stuck 2' or 'QUEUED'; '' clears it. */
  note?: string;
}

export interface ProgressBar {
  /** One item finished; `failed` counts it as an error too. */
  tick(failed: boolean): void;
  update(state: ProgressUpdate): void;
  snapshot(): ProgressSnapshot;
  /** Prints the final state and stops redrawing. Idempotent. */
  stop(): void;
}

export function createProgressBar(options: ProgressBarOptions): ProgressBar {
  const stream = options.stream ?? process.stderr;
  const tty = options.tty ?? stream.isTTY === true;
  const now = options.now ?? (() => performance.now());
  const windowMs = options.rateWindowMs ?? PROGRESS_DEFAULTS.rateWindowMs;
  const label = options.label ? `${options.label} ` : '';
  const total = options.total;
  const startedAt = now();
  let done = 0;
  let errors = 0;
  let stopped = false;
  let dirty = true;
  let given: { ratePerSec: number; etaSec: number | null } | null = null;
  let note = '';
  // (time, done) samples inside the rate window; the oldest is the rate's baseline.
  const samples: { t: number; done: number }[] = [{ t: startedAt, done: 0 }];

  const snapshot = (): ProgressSnapshot => {
    const t = now();
    samples.push({ t, done });
    while (samples.length > 2 && (samples[1]?.t ?? t) <= t - windowMs) samples.shift();
    const first = samples[0] ?? { t, done };
    const dtSec = (t - first.t) / 1000;
    const measured = dtSec > 0 ? (done - first.done) / dtSec : 0;
    const ratePerSec = given?.ratePerSec ?? measured;
    const left = total - done;
    const etaSec = left === 0 ? 0 : given ? given.etaSec : ratePerSec > 0 ? left / ratePerSec : null;
    return { done, errors, total, ratePerSec, etaSec, elapsedMs: t - startedAt };
  };

  const render = (s: ProgressSnapshot, withBar: boolean): string => {
    const frac = total > 0 ? s.done / total : 1;
    const pct = `${Math.floor(frac * 100)}%`.padStart(4);
    const width = PROGRESS_DEFAULTS.barWidthChars;
    const filled = Math.round(frac * width);
    const bar = withBar ? `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ` : '';
    const eta = s.done >= total ? '-' : s.etaSec === null ? '?' : formatDuration(s.etaSec * 1000);
    return (
      `${label}${bar}${s.done}/${total} ${pct} | errors ${s.errors} | ` +
      `${s.ratePerSec.toFixed(1)} img/s | ETA ${eta} | ${formatDuration(s.elapsedMs)}${note ? ` | ${note}` : ''}`
    );
  };

  const draw = (): void => {
    const line = render(snapshot(), true);
    const columns = stream.columns ?? 120;
    // Clear the line first: a shorter line must not leave the old one's tail behind.
    stream.write(`\r\x1b[2K${line.slice(0, Math.max(0, columns - 1))}`);
    dirty = false;
  };

  const timer = setInterval(
    () => {
      if (stopped) return;
      if (tty) {
        if (dirty) draw();
      } else {
        stream.write(`${render(snapshot(), false)}\n`);
      }
    },
    tty ? (options.ttyRedrawMs ?? PROGRESS_DEFAULTS.ttyRedrawMs) : (options.plainLineMs ?? PROGRESS_DEFAULTS.plainLineMs),
  );
  // Progress never keeps the process alive on its own.
  timer.unref();
  if (tty) draw();

  return {
    tick(failed) {
      done++;
      if (failed) errors++;
      dirty = true;
    },
    update(state) {
      done = state.done;
      errors = state.errors;
      // No rate given (any more): the bar measures its own from the counts.
      given = state.ratePerSec === undefined ? null : { ratePerSec: state.ratePerSec, etaSec: state.etaSec ?? null };
      if (state.note !== undefined) note = state.note;
      dirty = true;
    },
    snapshot,
    stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      if (tty) {
        draw();
        stream.write('\n');
      } else {
        stream.write(`${render(snapshot(), false)}\n`);
      }
    },
  };
}
