/** Point-forecast metrics (MAE, RMSE, Pearson r, normalised bias, WMAPE, sMAPE) over actual/predicted pairs. */
import { DataError } from './errors.js';

/** A numeric series: any typed array (e.g. ORT's Float32Array output) or a plain array. */
export type Series = ArrayLike<number>;

/** Every metric of {@link computeMetrics}, plus `n`, the number of pairs that counted. */
export interface Metrics {
  mae: number;
  rmse: number;
  corr: number;
  nbias: number;
  wmape: number;
  smape: number;
  n: number;
}

export type MetricName = Exclude<keyof Metrics, 'n'>;

/**
 * Formula text of each metric, for the README and reports. `y` is the actual value, `ŷ` the
 * prediction; sums and means run over the pairs where both are finite.
 */
export const METRIC_DEFINITIONS: Readonly<Record<MetricName, string>> = {
  mae: 'MAE = mean |y − ŷ|',
  rmse: 'RMSE = sqrt(mean (y − ŷ)²)',
  corr: 'corr = Pearson r = Σ(y − ȳ)(ŷ − ŷ̄) / sqrt(Σ(y − ȳ)² · Σ(ŷ − ŷ̄)²); NaN when either side is constant',
  nbias: 'NBias = Σ(ŷ − y) / Σ|y| (a fraction; positive = over-forecast); NaN when Σ|y| = 0',
  wmape: 'WMAPE = 100 · Σ|y − ŷ| / Σ|y| (percent); NaN when Σ|y| = 0',
  smape: 'sMAPE = 100 · mean(2|y − ŷ| / (|y| + |ŷ|)) (percent, 0–200); a pair with y = ŷ = 0 counts as 0',
};

function checkLengths(actual: Series, predicted: Series): void {
  if (actual.length !== predicted.length) {
    throw new DataError(`actual and predicted differ in length: ${actual.length} vs ${predicted.length}`, {
      actual: actual.length,
      predicted: predicted.length,
    });
  }
}

/** Shared loop: calls `visit(y, ŷ)` for each pair where both are finite; returns how many. */
function eachPair(actual: Series, predicted: Series, visit: (y: number, p: number) => void): number {
  checkLengths(actual, predicted);
  let n = 0;
  for (let i = 0; i < actual.length; i++) {
    const y = actual[i]!;
    const p = predicted[i]!;
    if (Number.isFinite(y) && Number.isFinite(p)) {
      visit(y, p);
      n++;
    }
  }
  return n;
}

/**
 * Mean absolute error, `mean |y − ŷ|`. Pairs where either value is non-finite (NaN, ±Infinity)
 * are skipped; NaN when no pair remains. Throws {@link DataError} when the lengths differ.
 */
export function mae(actual: Series, predicted: Series): number {
  let sum = 0;
  const n = eachPair(actual, predicted, (y, p) => {
    sum += Math.abs(y - p);
  });
  return n === 0 ? Number.NaN : sum / n;
}

/** Root mean squared error, `sqrt(mean (y − ŷ)²)`. Non-finite pairs skipped; NaN when none remain. */
export function rmse(actual: Series, predicted: Series): number {
  let sum = 0;
  const n = eachPair(actual, predicted, (y, p) => {
    sum += (y - p) * (y - p);
  });
  return n === 0 ? Number.NaN : Math.sqrt(sum / n);
}

/**
 * Pearson correlation of actual and predicted (two-pass, for accuracy). NaN when fewer than two
 * pairs remain or when either side is constant (its variance is 0, so r is undefined).
 */
export function corr(actual: Series, predicted: Series): number {
  let sy = 0;
  let sp = 0;
  const n = eachPair(actual, predicted, (y, p) => {
    sy += y;
    sp += p;
  });
  if (n < 2) return Number.NaN;
  const my = sy / n;
  const mp = sp / n;
  let cov = 0;
  let vy = 0;
  let vp = 0;
  eachPair(actual, predicted, (y, p) => {
    cov += (y - my) * (p - mp);
    vy += (y - my) * (y - my);
    vp += (p - mp) * (p - mp);
  });
  if (vy === 0 || vp === 0) return Number.NaN;
  // Rounding can push |r| a hair past 1 for perfectly linear data.
  return Math.max(-1, Math.min(1, cov / Math.sqrt(vy * vp)));
}

/**
 * Normalised bias, `Σ(ŷ − y) / Σ|y|`, as a fraction: positive means over-forecast.
 * Non-finite pairs skipped; NaN when none remain or when Σ|y| = 0.
 */
export function nbias(actual: Series, predicted: Series): number {
  let err = 0;
  let scale = 0;
  const n = eachPair(actual, predicted, (y, p) => {
    err += p - y;
    scale += Math.abs(y);
  });
  return n === 0 || scale === 0 ? Number.NaN : err / scale;
}

/**
 * Weighted MAPE in percent, `100 · Σ|y − ŷ| / Σ|y|` (twiga's definition).
 * Non-finite pairs skipped; NaN when none remain or when Σ|y| = 0.
 */
export function wmape(actual: Series, predicted: Series): number {
  let err = 0;
  let scale = 0;
  const n = eachPair(actual, predicted, (y, p) => {
    err += Math.abs(y - p);
    scale += Math.abs(y);
  });
  return n === 0 || scale === 0 ? Number.NaN : (100 * err) / scale;
}

/**
 * Symmetric MAPE in percent, `100 · mean(2|y − ŷ| / (|y| + |ŷ|))`, range 0–200 (twiga's
 * definition). A pair with y = ŷ = 0 is a perfect forecast and counts as 0.
 * Non-finite pairs skipped; NaN when none remain.
 */
export function smape(actual: Series, predicted: Series): number {
  let sum = 0;
  const n = eachPair(actual, predicted, (y, p) => {
    const denom = Math.abs(y) + Math.abs(p);
    if (denom > 0) sum += (2 * Math.abs(y - p)) / denom;
  });
  return n === 0 ? Number.NaN : (100 * sum) / n;
}

/**
 * All point metrics at once, over the pairs where both values are finite.
 * @example computeMetrics([1, 2, 3], [1, 2, 4]) // { mae: 1/3, rmse: sqrt(1/3), n: 3, ... }
 */
export function computeMetrics(actual: Series, predicted: Series): Metrics {
  const n = eachPair(actual, predicted, () => {});
  return {
    mae: mae(actual, predicted),
    rmse: rmse(actual, predicted),
    corr: corr(actual, predicted),
    nbias: nbias(actual, predicted),
    wmape: wmape(actual, predicted),
    smape: smape(actual, predicted),
    n,
  };
}
