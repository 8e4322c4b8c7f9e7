/**
 * A tiny typed PubSub: `subscribe(topic)` is an async iterator over an EventEmitter. Events arriving
 * while nobody is awaiting are queued (bounded: the oldest are dropped past `maxQueued`);
 * `return()` removes the listener at once and ends any pending `next()`.
 */
import { EventEmitter } from 'node:events';

export interface Subscription<T> extends AsyncIterableIterator<T> {
  return(): Promise<IteratorResult<T, undefined>>;
}

export class PubSub<Events extends Record<string, unknown>> {
  private readonly emitter = new EventEmitter();

  constructor(private readonly maxQueued = 1000) {
    // Every open subscription is one listener; the count is bounded by the open connections.
    this.emitter.setMaxListeners(0);
  }

  publish<K extends keyof Events & string>(topic: K, payload: Events[K]): void {
    this.emitter.emit(topic, payload);
  }

  listenerCount(topic: keyof Events & string): number {
    return this.emitter.listenerCount(topic);
  }

  subscribe<K extends keyof Events & string>(
    topic: K,
    filter: (payload: Events[K]) => boolean = () => true,
  ): Subscription<Events[K]> {
    const queue: Events[K][] = [];
    const waiting: ((r: IteratorResult<Events[K], undefined>) => void)[] = [];
    let closed = false;
    const listener = (payload: Events[K]) => {
      if (!filter(payload)) return;
      const next = waiting.shift();
      if (next) next({ value: payload, done: false });
      else {
        queue.push(payload);
        if (queue.length > this.maxQueued) queue.shift();
      }
    };
    this.emitter.on(topic, listener);
    const close = (): Promise<IteratorResult<Events[K], undefined>> => {
      if (!closed) {
        closed = true;
        this.emitter.off(topic, listener);
        queue.length = 0;
        for (const w of waiting.splice(0)) w({ value: undefined, done: true });
      }
      return Promise.resolve({ value: undefined, done: true });
    };
    return {
      next: () => {
        if (closed) return Promise.resolve({ value: undefined, done: true });
        if (queue.length > 0) return Promise.resolve({ value: queue.shift() as Events[K], done: false });
        return new Promise((resolve) => waiting.push(resolve));
      },
      return: close,
      throw: async (err: unknown) => {
        await close();
        throw err;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }
}
