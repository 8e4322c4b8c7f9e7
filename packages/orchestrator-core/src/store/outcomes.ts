/**
 * Checking a complete() report against its split and turning it into the rows complete_many.sql
 * reads with jsonb_to_recordset (one JSON parameter for a whole batch: JSON.stringify and the
 * server's json parser instead of the driver's array escaping, ~10 % of the endpoint's CPU).
 * A report must account for every input of the split exactly once.
 *
 * A row names its report by position in the batch, not by attempt id, and leaves out every key
 * whose value is null: a batch of 65 reports × 10 items is 25 % shorter (108 against 143 kB with
 * ~65-character inputs), JSON.stringify ~10 % faster, and a repeated report in one batch inserts
 * nothing (its rows join the report, which does not win). The input stays in the row: taking it
 * from the split's array in SQL made ingest of 500-item splits 20–30 % slower (subscripts walk the
 * array per row) or 4–6× slower (unnest + join) (control-plane bench README, "fifth pass").
 */
import type { ItemOutcome } from '../ports.js';
import { StoreError, StoreErrorCode } from './errors.js';

export interface SplitInputs {
  firstIndex: number;
  inputs: readonly string[];
}

/**
 * One result row as complete_many.sql reads it; short keys, and an absent key for null
 * (JSON.stringify leaves out undefined), keep a batch's JSON small.
 */
export interface OutcomeRow {
  /** the report's position in the batch (1-based: complete_many.sql's WITH ORDINALITY) */
  r: number;
  /** input index */
  i: number;
  /** input */
  n: string;
  /** label */
  l?: string;
  /** error code */
  c?: string;
  /** error message */
  m?: string;
  /** probabilities */
  p?: number[];
  /** fetch / preprocess / infer ms */
  f?: number;
  pp?: number;
  im?: number;
}

const MAX_ISSUES_SHOWN = 5;

/** The rows of the report at `position` in its batch; throws INVALID_OUTCOMES naming what is wrong. */
export function outcomeRows(split: SplitInputs, outcomes: readonly ItemOutcome[], position: number): OutcomeRow[] {
  const n = split.inputs.length;
  const issues: string[] = [];
  if (outcomes.length !== n) issues.push(`the split has ${n} inputs but ${outcomes.length} outcomes were reported`);
  const seen = new Set<number>();
  const rows: OutcomeRow[] = [];
  for (const outcome of outcomes) {
    const at = `outcome for index ${JSON.stringify(outcome.index)}`;
    const offset = outcome.index - split.firstIndex;
    if (!Number.isInteger(outcome.index) || offset < 0 || offset >= n) {
      issues.push(`${at}: index is not in this split (${split.firstIndex}..${split.firstIndex + n - 1})`);
      continue;
    }
    if (seen.has(outcome.index)) {
      issues.push(`${at}: index reported twice`);
      continue;
    }
    seen.add(outcome.index);
    if (outcome.input !== split.inputs[offset]) {
      issues.push(`${at}: input ${JSON.stringify(outcome.input)} is not the split's input ${JSON.stringify(split.inputs[offset])}`);
    }
    const hasLabel = typeof outcome.label === 'string' && outcome.label.length > 0;
    const hasError = typeof outcome.errorCode === 'string' && outcome.errorCode.length > 0;
    if (hasLabel === hasError) issues.push(`${at}: exactly one of label and errorCode must be set (label ${JSON.stringify(outcome.label)}, errorCode ${JSON.stringify(outcome.errorCode)})`);
    if (outcome.probabilities != null && !outcome.probabilities.every((p) => typeof p === 'number' && Number.isFinite(p))) {
      issues.push(`${at}: probabilities must be finite numbers (got ${JSON.stringify(outcome.probabilities)})`);
    }
    for (const field of ['fetchMs', 'preprocessMs', 'inferMs'] as const) {
      const value = outcome[field];
      if (value != null && !(typeof value === 'number' && Number.isFinite(value) && value >= 0)) {
        issues.push(`${at}: ${field} must be a non-negative number (got ${JSON.stringify(value)})`);
      }
    }
    rows.push({
      r: position,
      i: outcome.index,
      n: outcome.input,
      l: hasLabel ? (outcome.label as string) : undefined,
      c: hasError ? (outcome.errorCode as string) : undefined,
      m: outcome.errorMessage ?? undefined,
      p: outcome.probabilities ?? undefined,
      f: outcome.fetchMs ?? undefined,
      pp: outcome.preprocessMs ?? undefined,
      im: outcome.inferMs ?? undefined,
    });
  }
  if (issues.length === 0 && seen.size !== n) issues.push(`${n - seen.size} inputs of the split have no outcome`);
  if (issues.length > 0) {
    const shown = issues.slice(0, MAX_ISSUES_SHOWN).join('; ');
    const more = issues.length > MAX_ISSUES_SHOWN ? ` (and ${issues.length - MAX_ISSUES_SHOWN} more)` : '';
    throw new StoreError(StoreErrorCode.INVALID_OUTCOMES, `invalid completion report: ${shown}${more}`);
  }
  return rows;
}
