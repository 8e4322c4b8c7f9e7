/**
 * Every operation the dashboard sends must be valid against the gateway's committed SDL, so a
 * schema change that breaks the dashboard fails here rather than in a browser.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import * as queries from '../src/lib/queries.js';

const sdl = readFileSync(fileURLToPath(new URL('../../gateway/schema.graphql', import.meta.url)), 'utf8');
const schema = buildSchema(sdl);

describe('dashboard GraphQL operations', () => {
  const entries = Object.entries(queries).filter(([, v]) => typeof v === 'string');
  it('has the operations the pages use', () => {
    expect(entries.map(([k]) => k).sort()).toEqual(
      ['CANCEL_JOB_MUTATION', 'JOBS_QUERY', 'JOB_PROGRESS_SUBSCRIPTION', 'JOB_QUERY', 'RESULTS_HEADER_QUERY', 'RESULTS_QUERY', 'SUBMIT_JOB_MUTATION'].sort(),
    );
  });
  for (const [name, source] of entries) {
    it(`${name} validates against apps/gateway/schema.graphql`, () => {
      const errors = validate(schema, parse(source as string));
      expect(errors.map((e) => e.message)).toEqual([]);
    });
  }
  it('a field the schema lacks is caught (the check can fail)', () => {
    const errors = validate(schema, parse('{ jobs(first: 1) { nodes { noSuchField } } }'));
    expect(errors.length).toBeGreaterThan(0);
  });
});
