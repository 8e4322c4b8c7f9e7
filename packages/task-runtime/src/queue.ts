/**
 * A FIFO with a capacity: `push` waits while the queue is full (backpressure on the producer),
 * `shift` waits while it is empty. After `close()` pushes are refused and `shift` drains what is
 * left, then returns `undefined`. Waiters are served in arrival order.
 */
export class BoundedQueue<T> {
  readonly capacity: number;
  private readonly items: T[] = [];
  private readonly pushers: Array<{ item: T; resolve: () => void }> = [];
  private readonly takers: Array<(item: T | undefined) => void> = [];
  private isClosed = false;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`BoundedQueue capacity must be an integer ≥ 1 (got ${capacity})`);
    }
    this.capacity = capacity;
  }

  get size(): number {
    return this.items.length;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Resolves once `item` is in the queue (or handed to a waiting taker). */
  push(item: T): Promise<void> {
    if (this.isClosed) return Promise.reject(new Error('BoundedQueue is closed'));
    const taker = this.takers.shift();
    if (taker !== undefined) {
      taker(item);
      return Promise.resolve();
    }
    if (this.items.length < this.capacity) {
      this.items.push(item);
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.pushers.push({ item, resolve }));
  }

  /** Next item, waiting for one; `undefined` once the queue is closed and drained. */
  shift(): Promise<T | undefined> {
    if (this.items.length > 0) return Promise.resolve(this.takeFront());
    if (this.isClosed) return Promise.resolve(undefined);
    return new Promise<T | undefined>((resolve) => this.takers.push(resolve));
  }

  /** Next item if one is there right now, else `undefined` (never waits). */
  tryShift(): T | undefined {
    return this.items.length > 0 ? this.takeFront() : undefined;
  }

  /** Refuse further pushes; waiting takers get `undefined` once the queue is empty. */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    // Producers still waiting were promised a place: let them in, the consumers drain them.
    for (const pusher of this.pushers.splice(0)) {
      this.items.push(pusher.item);
      pusher.resolve();
    }
    if (this.items.length === 0) {
      for (const taker of this.takers.splice(0)) taker(undefined);
    }
  }

  private takeFront(): T {
    const item = this.items.shift() as T;
    const pusher = this.pushers.shift();
    if (pusher !== undefined) {
      this.items.push(pusher.item);
      pusher.resolve();
    }
    return item;
  }
}
