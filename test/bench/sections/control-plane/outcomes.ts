/**
 * Synthetic outcomes of a simulated task manager: a label with two probabilities and per-item
 * timings, or (one input in `errorEvery`) an error record, as the task runtime reports them.
 */
export interface BenchItem {
  index: number;
  input: string;
}

export interface OutcomeShape {
  errorEvery: number;
  labels: readonly string[];
}

export function syntheticOutcome(item: BenchItem, shape: OutcomeShape) {
  if (item.index % shape.errorEvery === 0) {
    return { index: item.index, input: item.input, label: null, probabilities: null, errorCode: 'FETCH_FAILED', errorMessage: 'synthetic: HTTP 404', fetchMs: 1.5, preprocessMs: null, inferMs: null };
  }
  // A fixed pseudo-random probability per input (Knuth's multiplicative hash).
  const p = ((item.index * 2_654_435_761) % 1_000) / 1_000;
  return {
    index: item.index,
    input: item.input,
    label: shape.labels[p >= 0.5 ? 1 : 0] ?? 'label',
    probabilities: [1 - p, p],
    errorCode: null,
    errorMessage: null,
    fetchMs: 12.5,
    preprocessMs: 3.25,
    inferMs: 40.75,
  };
}
