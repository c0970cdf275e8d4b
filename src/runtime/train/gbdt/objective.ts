/** Objectives: starting value, gradients (hessians are 1 for both), loss, and leaf outputs. */

/** What the booster needs from a loss. */
export interface Objective {
  /** The constant prediction before any tree. */
  baseValue(y: Float64Array): number;
  /** `grad[r]` for every row; the hessian is 1. */
  gradients(y: Float64Array, pred: Float64Array, grad: Float64Array): void;
  /** Mean loss (MSE, or mean pinball loss). */
  loss(y: Float64Array, pred: Float64Array): number;
  /** Whether {@link leafValue} needs the leaf's rows. */
  readonly refitsLeaves: boolean;
  /** Output of a leaf (before shrinkage) with gradient sum `g` and count `c`, holding `leaf.rows` when asked. */
  leafValue(g: number, c: number, lambdaL2: number, leaf: LeafRows): number;
}

/** The rows of a leaf (`rows[0 … count]`), for objectives that refit leaf outputs on residuals. */
export interface LeafRows {
  rows: Int32Array;
  count: number;
  y: Float64Array;
  pred: Float64Array;
}

/** Linear-interpolated quantile of `values` (sorted in place), numpy's default. */
export function quantileOf(values: Float64Array, alpha: number): number {
  const n = values.length;
  if (n === 0) return 0;
  values.sort();
  const pos = alpha * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return values[lo]! + (pos - lo) * (values[hi]! - values[lo]!);
}

/** Squared error: gradient `pred − y`, leaf output `−G / (C + λ)`. */
export const squaredError: Objective = {
  baseValue(y) {
    let s = 0;
    for (let i = 0; i < y.length; i++) s += y[i]!;
    return y.length > 0 ? s / y.length : 0;
  },
  gradients(y, pred, grad) {
    for (let i = 0; i < y.length; i++) grad[i] = pred[i]! - y[i]!;
  },
  loss(y, pred) {
    let s = 0;
    for (let i = 0; i < y.length; i++) {
      const d = y[i]! - pred[i]!;
      s += d * d;
    }
    return s / Math.max(1, y.length);
  },
  refitsLeaves: false,
  leafValue: (g, c, lambdaL2) => -g / (c + lambdaL2),
};

/**
 * Pinball loss at `alpha`, as LightGBM: splits are grown on the gradient's sign (`1 − α` above the target,
 * `−α` below, hessian 1), then each leaf's output is refit to the α-quantile of its rows' residuals.
 */
export function quantileObjective(alpha: number): Objective {
  let scratch = new Float64Array(0);
  return {
    baseValue: (y) => quantileOf(Float64Array.from(y), alpha),
    gradients(y, pred, grad) {
      for (let i = 0; i < y.length; i++) grad[i] = pred[i]! >= y[i]! ? 1 - alpha : -alpha;
    },
    loss(y, pred) {
      let s = 0;
      for (let i = 0; i < y.length; i++) {
        const d = y[i]! - pred[i]!;
        s += d >= 0 ? alpha * d : (alpha - 1) * d;
      }
      return s / Math.max(1, y.length);
    },
    refitsLeaves: true,
    leafValue(_g, _c, _lambda, { rows, count, y, pred }) {
      if (scratch.length < count) scratch = new Float64Array(count);
      const r = scratch.subarray(0, count);
      for (let i = 0; i < count; i++) {
        const row = rows[i]!;
        r[i] = y[row]! - pred[row]!;
      }
      return quantileOf(r, alpha);
    },
  };
}
