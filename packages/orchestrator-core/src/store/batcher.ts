/**
 * Group commit for the worker protocol's hot calls. Requests that arrive while a batch is being
 * written wait and go together into the next one, so under load one SQL round trip serves many
 * task managers, and an idle store adds no delay (a lone request starts its batch at once).
 * No timers: batches are as large as the load makes them, up to `maxBatch`.
 *
 * `run` gets the batch and must settle every entry (resolve or reject it); whatever it leaves
 * unsettled is rejected with its error, or with an INTERNAL StoreError when it returned normally.
 */
import { StoreError, StoreErrorCode } from './errors.js';

export interface BatchEntry<In, Out> {
  readonly input: In;
  resolve(value: Out): void;
  reject(error: unknown): void;
  readonly settled: boolean;
}

export interface BatcherOptions<In, Out> {
  /** Batches written at once (each holds one pooled connection while it runs). */
  maxConcurrent: number;
  /**
   * A batch starts beside one already running only once this many calls wait (default 1: at
   * once). Each statement has a fixed cost (~0.4–0.6 ms of Postgres CPU on the bench machine:
   * planning, executor start, commit) beyond its rows, so overlapping small batches spends CPU
   * that a busy machine needs; a backlog this big still gets the second connection.
   */
  overlapAt?: number;
  maxBatch: number;
  run(batch: BatchEntry<In, Out>[]): Promise<void>;
}

export class Batcher<In, Out> {
  private readonly waiting: BatchEntry<In, Out>[] = [];
  private running = 0;

  constructor(private readonly options: BatcherOptions<In, Out>) {}

  /** Requests waiting for a batch (for probes and tests). */
  get queued(): number {
    return this.waiting.length;
  }

  /** A batch is being written. */
  get busy(): boolean {
    return this.running > 0;
  }

  submit(input: In): Promise<Out> {
    return new Promise<Out>((resolve, reject) => {
      let settled = false;
      this.waiting.push({
        input,
        resolve: (value) => {
          if (settled) return;
          settled = true;
          resolve(value);
        },
        reject: (error) => {
          if (settled) return;
          settled = true;
          reject(error);
        },
        get settled() {
          return settled;
        },
      });
      this.pump();
    });
  }

  private pump(): void {
    const overlapAt = Math.max(1, this.options.overlapAt ?? 1);
    while (this.running < this.options.maxConcurrent && this.waiting.length >= (this.running === 0 ? 1 : overlapAt)) {
      const batch = this.waiting.splice(0, this.options.maxBatch);
      this.running++;
      this.options
        .run(batch)
        .then(
          () => {
            // Built only when needed: an Error captures a stack, and this runs after every batch.
            if (batch.every((entry) => entry.settled)) return;
            const lost = new StoreError(StoreErrorCode.INTERNAL, 'a batched store call was left unanswered');
            for (const entry of batch) entry.reject(lost);
          },
          (error: unknown) => {
            for (const entry of batch) entry.reject(error);
          },
        )
        .finally(() => {
          this.running--;
          this.pump();
        });
    }
  }
}
