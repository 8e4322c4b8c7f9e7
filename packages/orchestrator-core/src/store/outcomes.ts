/**
 * Checking a complete() report against its split and turning it into the parallel arrays that
 * complete_many.sql unnests. A report must account for every input of the split exactly once.
 */
import type { ItemOutcome } from '../ports.js';
import { StoreError, StoreErrorCode } from './errors.js';

export interface SplitInputs {
  firstIndex: number;
  inputs: readonly string[];
}

export interface OutcomeColumns {
  indices: number[];
  inputs: string[];
  labels: (string | null)[];
  /** Array literals ('{0.1,0.9}'), see complete_many.sql. */
  probabilities: (string | null)[];
  errorCodes: (string | null)[];
  errorMessages: (string | null)[];
  fetchMs: (number | null)[];
  preprocessMs: (number | null)[];
  inferMs: (number | null)[];
}

const MAX_ISSUES_SHOWN = 5;

export function outcomeColumns(split: SplitInputs, outcomes: readonly ItemOutcome[]): OutcomeColumns {
  const n = split.inputs.length;
  const issues: string[] = [];
  if (outcomes.length !== n) issues.push(`the split has ${n} inputs but ${outcomes.length} outcomes were reported`);
  const seen = new Set<number>();
  const columns: OutcomeColumns = {
    indices: [], inputs: [], labels: [], probabilities: [], errorCodes: [], errorMessages: [], fetchMs: [], preprocessMs: [], inferMs: [],
  };
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
    columns.indices.push(outcome.index);
    columns.inputs.push(outcome.input);
    columns.labels.push(hasLabel ? outcome.label : null);
    columns.probabilities.push(outcome.probabilities == null ? null : `{${outcome.probabilities.join(',')}}`);
    columns.errorCodes.push(hasError ? outcome.errorCode : null);
    columns.errorMessages.push(outcome.errorMessage ?? null);
    columns.fetchMs.push(outcome.fetchMs ?? null);
    columns.preprocessMs.push(outcome.preprocessMs ?? null);
    columns.inferMs.push(outcome.inferMs ?? null);
  }
  if (issues.length === 0 && seen.size !== n) issues.push(`${n - seen.size} inputs of the split have no outcome`);
  if (issues.length > 0) {
    const shown = issues.slice(0, MAX_ISSUES_SHOWN).join('; ');
    const more = issues.length > MAX_ISSUES_SHOWN ? ` (and ${issues.length - MAX_ISSUES_SHOWN} more)` : '';
    throw new StoreError(StoreErrorCode.INVALID_OUTCOMES, `invalid completion report: ${shown}${more}`);
  }
  return columns;
}
