/** Learns the `weighted` and `best` ensembles from validation forecasts (Node: training time only). */
import { Matrix, solve } from 'ml-matrix';
import type { EnsembleWeights } from '../ensemble-weights.js';

/** Subset enumeration is exact NNLS; past this many members it would cost 2^m solves per output. */
const MAX_EXACT_MEMBERS = 12;

/**
 * Non-negative least squares `min ‖Xw − y‖², w ≥ 0` for a few columns, exactly: the best unconstrained fit over
 * every subset of columns whose coefficients are all non-negative (the NNLS optimum is one of them).
 */
export function nnls(columns: readonly Float64Array[], y: Float64Array): Float64Array {
  const m = columns.length;
  if (m > MAX_EXACT_MEMBERS) throw new RangeError(`nnls: at most ${MAX_EXACT_MEMBERS} members, got ${m}`);
  // Normal equations once: XᵀX and Xᵀy over the finite rows.
  const gram = Matrix.zeros(m, m);
  const xty = new Float64Array(m);
  let yy = 0;
  for (let i = 0; i < y.length; i++) {
    if (!Number.isFinite(y[i]!) || columns.some((c) => !Number.isFinite(c[i]!))) continue;
    yy += y[i]! * y[i]!;
    for (let a = 0; a < m; a++) {
      const xa = columns[a]![i]!;
      xty[a] += xa * y[i]!;
      for (let b = a; b < m; b++) gram.set(a, b, gram.get(a, b) + xa * columns[b]![i]!);
    }
  }
  for (let a = 0; a < m; a++) for (let b = 0; b < a; b++) gram.set(a, b, gram.get(b, a));
  let best = new Float64Array(m);
  let bestSse = yy;
  for (let mask = 1; mask < 1 << m; mask++) {
    const idx = Array.from({ length: m }, (_, j) => j).filter((j) => mask & (1 << j));
    const g = new Matrix(idx.map((a) => idx.map((b) => gram.get(a, b))));
    let coef: number[];
    try {
      coef = solve(g, Matrix.columnVector(idx.map((a) => xty[a]!))).to1DArray();
    } catch {
      continue; // a singular subset (two identical members) is covered by its smaller subsets
    }
    if (coef.some((c) => !(c >= 0))) continue;
    // SSE = yᵀy − 2 wᵀXᵀy + wᵀ XᵀX w, from the normal equations.
    let sse = yy;
    idx.forEach((a, i) => {
      sse -= 2 * coef[i]! * xty[a]!;
      idx.forEach((b, j) => {
        sse += coef[i]! * coef[j]! * gram.get(a, b);
      });
    });
    if (sse < bestSse - 1e-12 * Math.max(1, yy)) {
      bestSse = sse;
      best = new Float64Array(m);
      idx.forEach((a, i) => {
        best[a] = coef[i]!;
      });
    }
  }
  return best;
}

/**
 * Weights per output (`h·targets + t`) from the validation windows' forecasts and actuals, laid out
 * `[window, output]`: NNLS per output normalised to sum 1 (equal weights where every weight is 0), and the
 * member with the lowest MAE over all outputs as `best`.
 */
export function fitEnsembleWeights(
  predictions: Readonly<Record<string, Float64Array>>,
  labels: readonly string[],
  actual: Float64Array,
  nOut: number,
): EnsembleWeights {
  const windows = actual.length / nOut;
  const members = labels.map((l) => predictions[l]!);
  const weighted: number[][] = [];
  for (let o = 0; o < nOut; o++) {
    const pick = (a: Float64Array) => Float64Array.from({ length: windows }, (_, w) => a[w * nOut + o]!);
    const w = nnls(members.map(pick), pick(actual));
    const total = w.reduce((s, v) => s + v, 0);
    // Rounded to 9 significant digits: pipeline.json stays readable, the forecast changes far below 1e-6.
    weighted.push(
      Array.from(w, (v) =>
        total > 0 ? Number((v / total).toPrecision(9)) : Number((1 / labels.length).toPrecision(9)),
      ),
    );
  }
  const maes = members.map((p) => {
    let s = 0;
    let n = 0;
    for (let i = 0; i < actual.length; i++) {
      const e = Math.abs(p[i]! - actual[i]!);
      if (Number.isFinite(e)) {
        s += e;
        n++;
      }
    }
    return n > 0 ? s / n : Number.POSITIVE_INFINITY;
  });
  const best = labels[maes.indexOf(Math.min(...maes))]!;
  return { models: [...labels], weighted, best, windows };
}
