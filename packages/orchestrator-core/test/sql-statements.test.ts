import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { STATEMENT_NAMES, planGeneration, preparedName, statementCount, statements } from '../dist/store/sql.js';

describe('the store statements', () => {
  it('are one statement per file, labelled offsample_<file>', () => {
    const all = statements();
    for (const name of STATEMENT_NAMES) {
      expect(all[name].name).toBe(`offsample_${name}`);
      expect(statementCount(all[name].text)).toBe(1);
    }
    expect(statementCount("SELECT ';' -- ; not a statement\n; SELECT 2;")).toBe(2);
  });

  it('derive complete_many_unguarded from complete_many by leaving out its conflict clause, and nothing else', () => {
    const all = statements();
    const clause = 'ON CONFLICT (job_id, input_index) DO NOTHING';
    expect(all.complete_many.text).toContain(clause);
    expect(all.complete_many_unguarded.name).toBe('offsample_complete_many_unguarded');
    expect(all.complete_many_unguarded.text).not.toContain(clause);
    expect(all.complete_many_unguarded.text).toBe(all.complete_many.text.replace(clause, ''));
  });

  it('refuse a file that holds two statements, naming it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'offsample-sql-'));
    for (const name of STATEMENT_NAMES) await writeFile(path.join(dir, `${name}.sql`), 'SELECT 1');
    await writeFile(path.join(dir, 'claim.sql'), 'SELECT 1; SELECT 2');
    expect(() => statements(dir)).toThrow(/claim\.sql must hold exactly one SQL statement/);
  });

  it('are prepared under a new name each time the store has handed out 4× more attempts', () => {
    expect([0, 1, 999].map(planGeneration)).toEqual([0, 0, 0]);
    expect([1_000, 3_999, 4_000, 15_999, 16_000, 1_024_000].map(planGeneration)).toEqual([1, 1, 2, 2, 3, 6]);
    expect(planGeneration(Number.NaN)).toBe(0);
    expect(preparedName('offsample_claim', 2)).toBe('offsample_claim_g2');
  });
});
