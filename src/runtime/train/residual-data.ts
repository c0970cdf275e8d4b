/** Training data of a window-matrix learner under a target transform, shared by the GBDT and MLP trainers. */

/** Rows of a window matrix: `x` [n, F], `y` [n, outputs]. */
export interface WindowRows {
  x: Float64Array;
  y: Float64Array;
  n: number;
}

/** `y − x[index]` per output: the targets a learner fits under `seasonal_residual`. */
export function residualTargets(m: WindowRows, F: number, index: Int32Array): Float64Array {
  const O = index.length;
  const out = new Float64Array(m.y.length);
  for (let r = 0; r < m.n; r++)
    for (let o = 0; o < O; o++) out[r * O + o] = m.y[r * O + o]! - m.x[r * F + index[o]!]!;
  return out;
}

/** Train (and validation, when it has rows) data with the targets of one transform (`residual`: lag columns). */
export function transformedData(
  train: WindowRows,
  valid: WindowRows,
  F: number,
  O: number,
  residual: Int32Array | undefined,
) {
  const learn = (m: WindowRows) => (residual ? residualTargets(m, F, residual) : m.y);
  return {
    x: train.x,
    y: learn(train),
    n: train.n,
    nFeatures: F,
    nOutputs: O,
    ...(valid.n > 0 ? { valid: { x: valid.x, y: learn(valid), n: valid.n } } : {}),
  };
}
