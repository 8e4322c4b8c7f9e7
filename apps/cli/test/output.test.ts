import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createOrderedJsonlWriter } from '../dist/jsonl-writer.js';
import { createProgressBar } from '../dist/progress-bar.js';
import { parseInputsText } from '../dist/inputs-file.js';

function collect(stream: PassThrough): () => string {
  let text = '';
  stream.setEncoding('utf8').on('data', (d: string) => (text += d));
  return () => text;
}

describe('ordered JSONL writer', () => {
  it('writes records in index order whatever order they arrive in', async () => {
    const stream = new PassThrough();
    const text = collect(stream);
    const w = createOrderedJsonlWriter(stream, 4);
    w.write({ index: 2, input: 'c', label: 'x', probabilities: null });
    w.write({ index: 1, input: 'b', error: { code: 'NOT_FOUND', message: '404' } });
    expect(w.written()).toBe(0);
    w.write({ index: 0, input: 'a', label: 'y', probabilities: [1] });
    expect(w.written()).toBe(3);
    expect(() => w.write({ index: 1, input: 'b', label: 'x', probabilities: null })).toThrow(/already written/);
    w.write({ index: 3, input: 'd', label: 'x', probabilities: null });
    await w.close();
    expect(text().trim().split('\n').map((l) => (JSON.parse(l) as { input: string }).input)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('close fails when an index never arrived', async () => {
    const w = createOrderedJsonlWriter(new PassThrough(), 2);
    w.write({ index: 1, input: 'b', label: 'x', probabilities: null });
    await expect(w.close()).rejects.toThrow(/index 0 missing/);
  });
});

describe('progress bar', () => {
  it('reports done, errors, rate and ETA from its clock; plain lines when not a TTY', () => {
    let t = 0;
    const stream = new PassThrough();
    const text = collect(stream);
    const bar = createProgressBar({ total: 10, stream, tty: false, label: 'x', now: () => t, rateWindowMs: 60_000 });
    for (let i = 0; i < 4; i++) bar.tick(i === 0);
    t = 2_000;
    const s = bar.snapshot();
    expect(s).toMatchObject({ done: 4, errors: 1, total: 10 });
    expect(s.ratePerSec).toBeCloseTo(2, 5);
    expect(s.etaSec).toBeCloseTo(3, 5);
    bar.stop();
    expect(text()).toMatch(/^x 4\/10 {2}40% \| errors 1 \| 2\.0 img\/s \| ETA 3\.0s/);
    expect(text()).not.toContain('\r');
  });

  it('redraws one line in place on a TTY', () => {
    const stream = new PassThrough();
    const text = collect(stream);
    const bar = createProgressBar({ total: 2, stream, tty: true });
    bar.tick(false);
    bar.tick(false);
    bar.stop();
    expect(text()).toContain('\r\x1b[2K[########################] 2/2 100%');
    expect(text().endsWith('\n')).toBe(true);
  });
});

describe('inputs text', () => {
  it('skips blank lines and comments and keeps duplicates', () => {
    expect(parseInputsText('# head\n\n a.png \r\nb.png\n#c\na.png\n')).toEqual(['a.png', 'b.png', 'a.png']);
  });
});
