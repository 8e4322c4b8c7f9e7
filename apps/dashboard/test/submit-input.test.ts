/** The submit form's output must be a valid SubmitJobInput of the committed gateway SDL. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchema, coerceInputValue, type GraphQLInputType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildSubmitInput, parseInputLines, SubmitFormError, type SubmitFormFields } from '../src/lib/submit-input.js';

const schema = buildSchema(readFileSync(fileURLToPath(new URL('../../gateway/schema.graphql', import.meta.url)), 'utf8'));
const SubmitJobInput = schema.getType('SubmitJobInput') as GraphQLInputType;

const empty: SubmitFormFields = {
  name: 'job',
  inputsMode: 'paste',
  inputsText: 'http://a/1.png',
  inputsFrom: '',
  bucket: '',
  splitSize: '',
  numTaskManagers: '',
  backend: '',
  splitMode: '',
  speculation: false,
  quantile: '',
  multiplier: '',
  extraTaskManagers: '',
  keepAlive: true,
  heartbeatMs: '',
  leaseMs: '',
  maxSplitRetries: '',
  outputStorage: '',
  outputLocation: '',
  outputBucket: '',
  model: '',
  taskManagerConfig: '',
};

const full: SubmitFormFields = {
  name: ' full ',
  inputsMode: 'paste',
  inputsText: '# header\nhttp://a/1.png\n\n  http://a/2.png  \n',
  inputsFrom: '',
  bucket: 'bucket-1',
  splitSize: '5',
  numTaskManagers: '2',
  backend: 'LOCAL',
  splitMode: 'DYNAMIC',
  speculation: true,
  quantile: '0.5',
  multiplier: '2',
  extraTaskManagers: '1',
  keepAlive: true,
  heartbeatMs: '500',
  leaseMs: '5000',
  maxSplitRetries: '2',
  outputStorage: 'LOCAL',
  outputLocation: '/tmp/out',
  outputBucket: '',
  model: 'offsample-cnn',
  taskManagerConfig: '{"load":{"allowLoopback":true}}',
};

describe('buildSubmitInput', () => {
  it('with every setting filled in, is a valid SubmitJobInput', () => {
    const input = buildSubmitInput(full);
    expect(() => coerceInputValue(input, SubmitJobInput)).not.toThrow();
    expect(input).toMatchObject({
      name: 'full',
      inputs: ['http://a/1.png', 'http://a/2.png'],
      splitSize: 5,
      speculation: { enabled: true, quantile: 0.5, multiplier: 2, extraTaskManagers: 1 },
      keepAlive: { enabled: true, intervalMs: 500 },
      output: { storage: 'LOCAL', location: '/tmp/out' },
      taskManagerConfig: { load: { allowLoopback: true } },
    });
  });

  it('with settings left empty, leaves them out (the orchestrator fills them in) and stays valid', () => {
    const input = buildSubmitInput(empty);
    expect(() => coerceInputValue(input, SubmitJobInput)).not.toThrow();
    expect(Object.keys(input).sort()).toEqual(['inputs', 'keepAlive', 'name', 'speculation']);
  });

  it('an inputs file or URL replaces pasted inputs', () => {
    const input = buildSubmitInput({ ...empty, inputsMode: 'from', inputsFrom: ' /data/in.txt ' });
    expect(input.inputsFrom).toBe('/data/in.txt');
    expect(input.inputs).toBeUndefined();
    expect(() => coerceInputValue(input, SubmitJobInput)).not.toThrow();
  });

  it('names the field that is not a number or not JSON', () => {
    expect(() => buildSubmitInput({ ...empty, splitSize: 'ten' })).toThrow(SubmitFormError);
    expect(() => buildSubmitInput({ ...empty, taskManagerConfig: '{oops' })).toThrow(/Task-manager config is not JSON/);
  });

  it('parseInputLines skips blanks and comments', () => {
    expect(parseInputLines('a\r\n# b\n\n c ')).toEqual(['a', 'c']);
  });
});
