/** Training data of a window-matrix learner under a target transform, shared by the GBDT and MLP trainers. */

import type { ModelIO, WindowNorm } from '../models/spec.js';
import { normaliseWindows, windowNormTargets } from '../models/window-norm.js';

/** Rows of a window matrix: `x` [n, F], `y` [n, outputs]. */
export interface WindowRows {
  x: Float64Array;
  y: Float64Array;
  n: number;
}

/**
 * A target transform as the trainers apply it: `seasonal_residual` (the lag column each output's residual is taken
 * over) or `window_norm`; `undefined` is `none`.
 */
export type TargetTransform =
  | { kind: 'seasonal_residual'; residualOf: Int32Array }
  | { kind: 'window_norm'; windowNorm: WindowNorm };

/** `y − x[index]` per output: the targets a learner fits under `seasonal_residual`. */
export function residualTargets(m: WindowRows, F: number, index: Int32Array): Float64Array {
  const O = index.length;
  const out = new Float64Array(m.y.length);
  for (let r = 0; r < m.n; r++)
    for (let o = 0; o < O; o++) out[r * O + o] = m.y[r * O + o]! - m.x[r * F + index[o]!]!;
  return out;
}

/** The learner's features and targets for one set of rows under `transform`. */
function learnerRows(m: WindowRows, io: ModelIO, transform: TargetTransform | undefined): WindowRows {
  if (transform?.kind === 'window_norm') {
    const w = normaliseWindows(transform.windowNorm, io, m.x, m.n);
    return { x: w.x, y: windowNormTargets(m.y, w, io, m.n), n: m.n };
  }
  const y = transform ? residualTargets(m, io.nFeatures, transform.residualOf) : m.y;
  return { x: m.x, y, n: m.n };
}

/** Train (and validation, when it has rows) data as the learner sees it under one transform. */
export function transformedData(
  train: WindowRows,
  valid: WindowRows,
  io: ModelIO,
  transform: TargetTransform | undefined,
) {
  return {
    ...learnerRows(train, io, transform),
    nFeatures: io.nFeatures,
    nOutputs: io.horizon * io.nTargets,
    ...(valid.n > 0 ? { valid: learnerRows(valid, io, transform) } : {}),
  };
}

/** The spec fields that make a learner's spec serve the targets under `transform`. */
export function transformFields(transform: TargetTransform | undefined) {
  if (!transform) return {};
  return transform.kind === 'window_norm'
    ? { windowNorm: transform.windowNorm }
    : { residualOf: transform.residualOf };
}
