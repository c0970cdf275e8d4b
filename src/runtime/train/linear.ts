/** Ridge regression, direct multi-horizon: one closed-form solve for every horizon step and target. */
import { CholeskyDecomposition, Matrix, solve } from 'ml-matrix';
import { ModelError } from '../errors.js';
import { type FittedPipeline, type PreparedFrame, writeTargets, writeWindow } from '../features/pipeline.js';
import type { LinearSpec } from '../models/spec.js';
import { GramAccumulator } from './gram.js';

/** Model label, ridge penalty and block size of the streaming solve. */
export interface RidgeOptions {
  label: string;
  /** Penalty on standardised features; the intercept is not penalised. */
  alpha: number;
  /** Windows per block when streaming XᵀX (memory vs. speed). */
  blockSize?: number;
}

/** A fitted ridge: its model spec, the windows used and skipped, and whether SVD stood in for Cholesky. */
export interface RidgeFit {
  spec: LinearSpec;
  windows: number;
  /** Origins skipped because a feature or target was missing. */
  skipped: number[];
  /** True when the system was singular and solved by SVD instead of Cholesky. */
  usedSvd: boolean;
}

/**
 * Fit ridge on the windows at `origins`. Features are standardised internally (as scikit-learn's
 * StandardScaler + Ridge) and the weights folded back, so the exported model takes raw features.
 */
export function trainRidge(
  p: FittedPipeline,
  f: PreparedFrame,
  origins: readonly number[],
  opts: RidgeOptions,
): RidgeFit {
  const F = p.layout.nFeatures;
  const H = p.config.horizon;
  const T = p.config.target.length;
  const O = H * T;
  const block = opts.blockSize ?? 512;
  const acc = new GramAccumulator(F, O);
  const x = new Float64Array(block * F);
  const y = new Float64Array(block * O);
  const skipped: number[] = [];
  let rows = 0;
  for (const origin of origins) {
    const okX = writeWindow(p, f, origin, x, rows * F);
    const okY = writeTargets(f, H, origin, y, rows * O);
    if (!okX || !okY) {
      skipped.push(origin);
      continue;
    }
    rows++;
    if (rows === block) {
      acc.add(x, y, rows);
      rows = 0;
    }
  }
  if (rows > 0) acc.add(x, y, rows);
  if (acc.n < 2) {
    throw new ModelError(`ridge "${opts.label}" needs at least 2 complete training windows, got ${acc.n}`, {
      model: opts.label,
      windows: acc.n,
      skipped: skipped.length,
    });
  }
  const { weights, bias, usedSvd } = solveRidge(acc, opts.alpha);
  return {
    spec: {
      kind: 'linear',
      label: opts.label,
      weights,
      bias,
      alpha: opts.alpha,
      nFeatures: F,
      horizon: H,
      nTargets: T,
    },
    windows: acc.n,
    skipped,
    usedSvd,
  };
}

/** Solve (ZᵀZ + αI) w = Zᵀ(y − ȳ) on standardised Z, then map back to raw features. */
export function solveRidge(
  acc: GramAccumulator,
  alpha: number,
): { weights: Float64Array; bias: Float64Array; usedSvd: boolean } {
  const { nFeatures: F, nOutputs: O, n } = acc;
  const mean = acc.sumX.map((s) => s / n);
  const ymean = acc.sumY.map((s) => s / n);
  const scale = new Float64Array(F);
  for (let i = 0; i < F; i++) {
    const varI = acc.xtx[i * F + i]! / n - mean[i]! * mean[i]!;
    // Constant features get scale 1: their centred column is zero and their weight stays 0.
    scale[i] = varI > 1e-12 ? Math.sqrt(varI) : 1;
  }
  const a = Matrix.zeros(F, F);
  for (let i = 0; i < F; i++) {
    for (let j = i; j < F; j++) {
      const c = (acc.xtx[i * F + j]! - n * mean[i]! * mean[j]!) / (scale[i]! * scale[j]!);
      a.set(i, j, c);
      a.set(j, i, c);
    }
    a.set(i, i, a.get(i, i) + alpha);
  }
  const b = Matrix.zeros(F, O);
  for (let i = 0; i < F; i++) {
    for (let o = 0; o < O; o++) b.set(i, o, (acc.xty[i * O + o]! - n * mean[i]! * ymean[o]!) / scale[i]!);
  }
  const chol = new CholeskyDecomposition(a);
  const usedSvd = !chol.isPositiveDefinite();
  const ws = usedSvd ? solve(a, b, true) : chol.solve(b);
  const weights = new Float64Array(F * O);
  const bias = Float64Array.from(ymean);
  for (let i = 0; i < F; i++) {
    for (let o = 0; o < O; o++) {
      const w = ws.get(i, o) / scale[i]!;
      weights[i * O + o] = w;
      bias[o]! -= mean[i]! * w;
    }
  }
  return { weights, bias, usedSvd };
}
