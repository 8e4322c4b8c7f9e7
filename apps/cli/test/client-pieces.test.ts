/** The pieces of the gateway client commands that need no server: inputs, env, caps (result formats: orchestrator-core's results-format.test.ts). */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { GATEWAY_DEFAULTS, INPUT_DEFAULTS, PAGE_DEFAULTS } from '@offsample/gateway';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_CLIENT_DEFAULTS } from '../dist/defaults.js';
import { flagForField, readGatewayEnv, resolveConnection } from '../dist/gateway-connection.js';
import { createProgressBar } from '../dist/progress-bar.js';
import { submitInputs } from '../dist/submit-inputs.js';

describe('submit inputs', () => {
  let dir: string;
  const cwd = process.cwd();
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'offsample-cli-inputs-'));
    await writeFile(path.join(dir, 'mixed.txt'), '# c\nimages/a.png\n/abs/b.png\nhttp://h/c.png\ns3://bkt/d.png\n');
    await writeFile(path.join(dir, 'urls.txt'), 'http://h/1.png\nhttp://h/2.png\nhttp://h/3.png\n');
    process.chdir(dir);
  });
  afterAll(async () => {
    process.chdir(cwd);
    await rm(dir, { recursive: true, force: true });
  });

  it('sends a short list inline with relative paths made absolute (not with a bucket)', async () => {
    expect(await submitInputs({ command: 'submit', file: 'mixed.txt' })).toEqual({
      kind: 'inline',
      inputs: [path.join(dir, 'images/a.png'), '/abs/b.png', 'http://h/c.png', 's3://bkt/d.png'],
    });
    const keys = await submitInputs({ command: 'submit', file: 'mixed.txt', bucket: 'b' });
    expect(keys).toMatchObject({ kind: 'inline', inputs: ['images/a.png', '/abs/b.png', 'http://h/c.png', 's3://bkt/d.png'] });
  });

  it('sends a list over the inline caps as inputsFrom (absolute path), refusing relative paths there', async () => {
    expect(await submitInputs({ command: 'submit', file: 'urls.txt', maxInlineInputs: 2 })).toEqual({ kind: 'inputsFrom', inputsFrom: path.join(dir, 'urls.txt'), count: 3 });
    expect(await submitInputs({ command: 'submit', file: 'urls.txt', maxInlineBytes: 20 })).toMatchObject({ kind: 'inputsFrom' });
    await expect(submitInputs({ command: 'submit', file: 'mixed.txt', maxInlineInputs: 2 })).rejects.toThrow(/relative paths \(e\.g\. "images\/a\.png"\)/);
    await expect(submitInputs({ command: 'submit', file: 'urls.txt', inputsFrom: 'x' })).rejects.toThrow(/not both/);
    expect(await submitInputs({ command: 'submit', inputsFrom: 'list.txt' })).toEqual({ kind: 'inputsFrom', inputsFrom: path.join(dir, 'list.txt'), count: null });
    expect(await submitInputs({ command: 'submit', inputsFrom: 'https://h/list.txt' })).toMatchObject({ inputsFrom: 'https://h/list.txt' });
  });
});

describe('gateway connection', () => {
  it('reads and validates OFFSAMPLE_GATEWAY_URL / OFFSAMPLE_API_TOKEN; flags win; a bare origin means /graphql', () => {
    expect(readGatewayEnv({ OFFSAMPLE_GATEWAY_URL: '', OFFSAMPLE_API_TOKEN: '' })).toEqual({ url: undefined, token: undefined });
    expect(() => readGatewayEnv({ OFFSAMPLE_GATEWAY_URL: 'ftp://h' })).toThrow(/^OFFSAMPLE_GATEWAY_URL: must be an http\(s\) URL/);
    expect(() => readGatewayEnv({ OFFSAMPLE_API_TOKEN: 'short' })).toThrow(/^OFFSAMPLE_API_TOKEN: must be at least 16 characters/);
    const env = { OFFSAMPLE_GATEWAY_URL: 'http://gw:4000', OFFSAMPLE_API_TOKEN: 'a-token-of-16-chars' };
    expect(resolveConnection('status', {}, env)).toEqual({ url: 'http://gw:4000/graphql', token: 'a-token-of-16-chars' });
    expect(resolveConnection('status', { url: 'https://other/api/graphql' }, env).url).toBe('https://other/api/graphql');
    expect(resolveConnection('status', {}, {})).toEqual({ url: GATEWAY_CLIENT_DEFAULTS.url, token: null });
    expect(() => resolveConnection('status', { url: 'gw:4000' }, {})).toThrow(/--url = "gw:4000"/);
  });

  it('names the flag behind a refused field', () => {
    expect(flagForField('input.splitSize')).toBe('--split-size');
    expect(flagForField('input.speculation.multiplier')).toBe('--speculation-multiplier');
    expect(flagForField('input.speculation.enabled')).toBe('--speculation');
    expect(flagForField('input.taskManagerConfig.load.timeoutMs')).toBe('--config');
    expect(flagForField('first')).toBeUndefined();
  });

  it('uses the gateway\'s own caps and defaults', () => {
    expect(GATEWAY_CLIENT_DEFAULTS.maxInlineInputs).toBe(INPUT_DEFAULTS.maxInlineInputs);
    expect(GATEWAY_CLIENT_DEFAULTS.maxInlineBytes).toBeLessThan(GATEWAY_DEFAULTS.bodyLimitBytes);
    expect(GATEWAY_CLIENT_DEFAULTS.resultsPageSize).toBe(PAGE_DEFAULTS.maxPageSize);
    expect(GATEWAY_CLIENT_DEFAULTS.url).toBe(`http://${GATEWAY_DEFAULTS.host}:${GATEWAY_DEFAULTS.port}/graphql`);
  });
});

describe('progress bar fed whole states', () => {
  it('shows the given rate, ETA and note, and measures its own rate when none is given', () => {
    let t = 0;
    const stream = new PassThrough();
    let text = '';
    stream.setEncoding('utf8').on('data', (d: string) => (text += d));
    const bar = createProgressBar({ total: 10, stream, tty: false, label: 'submit', now: () => t, rateWindowMs: 60_000 });
    bar.update({ done: 4, errors: 1, ratePerSec: 2.5, etaSec: 2.4, note: '2 TMs | stuck 1' });
    expect(bar.snapshot()).toMatchObject({ done: 4, errors: 1, ratePerSec: 2.5, etaSec: 2.4 });
    t = 2_000;
    bar.update({ done: 10, errors: 1, note: 'stuck 0' });
    expect(bar.snapshot().ratePerSec).toBeCloseTo(5, 5);
    bar.stop();
    expect(text).toMatch(/^submit 10\/10 100% \| errors 1 \| 5\.0 img\/s \| ETA - \| 2\.0s \| stuck 0\n$/);
  });
});
