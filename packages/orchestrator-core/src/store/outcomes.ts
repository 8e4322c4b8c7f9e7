/**
 * Checking a complete() report against its split and turning it into the rows complete_many.sql
 * reads with jsonb_to_recordset (one JSON parameter for a whole batch: JSON.stringify and the
 * server's json parser instead of the driver's array escaping, ~10 % of the endpoint's CPU).
 * A report must account for every input of the split exactly once.
 */
import type { ItemOutcome } from '../ports.js';
import { StoreError, StoreErrorCode } from './errors.js';

export interface SplitInputs {
  firstIndex: number;
  inputs: readonly string[];
}

/** One result row as complete_many.sql reads it; short keys keep a batch's JSON small. */
export interface OutcomeRow {
  /** attempt id */
  a: string;
  /** input index */
  i: number;
  /** input */
  n: string;
  /** label */
  l: string | null;
  /** error code */
  c: string | null;
  /** error message */
  m: string | null;
  /** probabilities */
  p: number[] | null;
  /** fetch / preprocess / infer ms */
  f: number | null;
  pp: number | null;
  im: number | null;
}

const MAX_ISSUES_SHOWN = 5;

/** The report's rows for `attemptId`; throws INVALID_OUTCOMES naming what is wrong. */
export function outcomeRows(split: SplitInputs, outcomes: readonly ItemOutcome[], attemptId: string): OutcomeRow[] {
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
      a: attemptId,
      i: outcome.index,
      n: outcome.input,
      l: hasLabel ? outcome.label : null,
      c: hasError ? outcome.errorCode : null,
      m: outcome.errorMessage ?? null,
      p: outcome.probabilities ?? null,
      f: outcome.fetchMs ?? null,
      pp: outcome.preprocessMs ?? null,
      im: outcome.inferMs ?? null,
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
