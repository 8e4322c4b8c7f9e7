/**
 * Writes one JSON line per input, in input order, while outcomes arrive in any order: outcomes
 * that come early wait in a map until every lower index has been written, so memory holds only
 * the out-of-order window, not the whole run.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { once } from 'node:events';

/** One line of classify output. */
export type ResultRecord =
  | { index: number; input: string; label: string; probabilities: Record<string, number> | number[] | null }
  | { index: number; input: string; error: { code: string; message: string } };

export interface OrderedJsonlWriter {
  /** Accepts the record for `record.index`; each index 0..total-1 must be given exactly once. */
  write(record: ResultRecord): void;
  /** Records written to the stream so far. */
  written(): number;
  /** Waits until every record is written and flushed; throws if some index never arrived. */
  close(): Promise<void>;
}

/**
 * `target` is a file path, or an open stream (e.g. process.stdout), which is left open.
 */
export function createOrderedJsonlWriter(target: string | Writable, total: number): OrderedJsonlWriter {
  const ownStream = typeof target === 'string';
  const stream: Writable = ownStream ? createWriteStream(target) : target;
  let streamError: unknown = null;
  stream.on('error', (err) => {
    streamError = err;
  });
  const pending = new Map<number, ResultRecord>();
  let next = 0;

  return {
    write(record) {
      if (!Number.isInteger(record.index) || record.index < next || record.index >= total || pending.has(record.index)) {
        throw new Error(`result index ${record.index} is out of range or was already written`);
      }
      pending.set(record.index, record);
      let lines = '';
      let r: ResultRecord | undefined;
      while ((r = pending.get(next)) !== undefined) {
        pending.delete(next);
        lines += `${JSON.stringify(r)}\n`;
        next++;
      }
      // Streams queue writes (fs streams batch them with writev), so a write per outcome is cheap.
      if (lines.length > 0) stream.write(lines);
    },
    written: () => next,
    async close() {
      if (streamError) throw streamError;
      if (ownStream) {
        const ws = stream as WriteStream;
        ws.end();
        await once(ws, 'finish');
      } else if (stream.writableNeedDrain) {
        await once(stream, 'drain');
      }
      if (streamError) throw streamError;
      if (next !== total) throw new Error(`only ${next} of ${total} results were written (index ${next} missing)`);
    },
  };
}
