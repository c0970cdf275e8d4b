/** Two-sample drift statistics named and computed as scipy's, over the active drift kernel (WASM or JS). */

import { DataError } from '../errors.js';
import { fillZeroShares } from './binning.js';
import type { SortedPair } from './kernel.js';
import { exactKs2, roundHalfEven } from './ks-exact.js';
import { chi2Sf, normSf } from './special/gamma.js';
import { kstwoSf } from './special/kolmogn.js';
import { pairwiseSum } from './sum.js';
import { driftKernel } from './wasm.js';

/** A statistic and its p-value. */
export interface TestResult {
  statistic: number;
  pvalue: number;
}

/** scipy's `ks_2samp(method='auto')` switches to the asymptotic distribution above this many values. */
export const KS_MAX_EXACT_N = 10_000;

/** Sorts both samples (dropping NaN/±inf) on the active kernel; empty samples are a `DataError`. */
export function sortedPair(a: ArrayLike<number>, b: ArrayLike<number>, what: string): SortedPair {
  const pair = driftKernel().pair(a, b);
  if (pair.na === 0 || pair.nb === 0) {
    throw new DataError(`${what}: the ${pair.na === 0 ? 'first' : 'second'} sample has no finite values`, {
      n_a: pair.na,
      n_b: pair.nb,
    });
  }
  return pair;
}

/** Two-sided KS test on an already sorted pair (see `ks2samp`). */
export function ksTest(pair: SortedPair): TestResult & { method: 'exact' | 'asymp' } {
  const { na: n1, nb: n2 } = pair;
  const { positive, negative } = pair.ksDifferences();
  let d = Math.max(positive, negative);
  if (Math.max(n1, n2) <= KS_MAX_EXACT_N) {
    const exact = exactKs2(n1, n2, d);
    if (exact.ok) return { statistic: exact.statistic, pvalue: exact.pvalue, method: 'exact' };
    d = exact.statistic;
  }
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const en = (m * n) / (m + n);
  return { statistic: d, pvalue: Math.min(1, Math.max(0, kstwoSf(roundHalfEven(en), d))), method: 'asymp' };
}

/**
 * Two-sample two-sided Kolmogorov–Smirnov test, as `scipy.stats.ks_2samp(a, b)` (method 'auto'):
 * the exact p-value when both samples have ≤ 10,000 values (the statistic then reported on the
 * lattice h/lcm(n1, n2), as scipy does), falling back like scipy when that computation fails, and
 * kstwo.sf(D, round(n1·n2/(n1+n2))) otherwise. NaN and ±inf are dropped first.
 *
 * @example ks2samp([1, 2, 3], [4, 5, 6]) // { statistic: 1, pvalue: 0.1 }
 */
export function ks2samp(a: ArrayLike<number>, b: ArrayLike<number>): TestResult {
  const { statistic, pvalue } = ksTest(sortedPair(a, b, 'ks2samp'));
  return { statistic, pvalue };
}

/**
 * First Wasserstein (earth mover's) distance between two samples, ∫|F_a − F_b|, as
 * `scipy.stats.wasserstein_distance(a, b)`. NaN and ±inf are dropped first.
 */
export function wassersteinDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return sortedPair(a, b, 'wassersteinDistance').wasserstein();
}

/** scipy.special.rel_entr: x·ln(x/y), 0 when x = 0 ≤ y, +inf otherwise. */
function relEntr(x: number, y: number): number {
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.NaN;
  if (x > 0 && y > 0) return x * Math.log(x / y);
  if (x === 0 && y >= 0) return 0;
  return Number.POSITIVE_INFINITY;
}

function normalised(p: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(p);
  const total = pairwiseSum(out);
  for (let i = 0; i < out.length; i++) out[i]! /= total;
  return out;
}

function sameLength(p: ArrayLike<number>, q: ArrayLike<number>, what: string): void {
  if (p.length !== q.length) throw new DataError(`${what}: lengths differ (${p.length} vs ${q.length})`);
}

/**
 * Jensen–Shannon **distance** between two discrete distributions (natural log), as
 * `scipy.spatial.distance.jensenshannon(p, q)`: both are normalised to sum 1, and the result is
 * sqrt((KL(p‖m) + KL(q‖m)) / 2) with m = (p + q)/2 — the square root of the divergence, in [0, √ln 2].
 */
export function jensenShannon(p: ArrayLike<number>, q: ArrayLike<number>): number {
  sameLength(p, q, 'jensenShannon');
  const pn = normalised(p);
  const qn = normalised(q);
  const left = new Float64Array(pn.length);
  const right = new Float64Array(pn.length);
  for (let i = 0; i < pn.length; i++) {
    const m = (pn[i]! + qn[i]!) / 2;
    left[i] = relEntr(pn[i]!, m);
    right[i] = relEntr(qn[i]!, m);
  }
  return Math.sqrt((pairwiseSum(left) + pairwiseSum(right)) / 2);
}

/**
 * Kullback–Leibler divergence KL(p‖q) = Σ p·ln(p/q) after normalising both to sum 1, as
 * `scipy.stats.entropy(p, q)`; +inf when q is 0 where p is not.
 */
export function klDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  sameLength(p, q, 'klDivergence');
  const pn = normalised(p);
  const qn = normalised(q);
  const terms = new Float64Array(pn.length);
  for (let i = 0; i < pn.length; i++) terms[i] = relEntr(pn[i]!, qn[i]!);
  return pairwiseSum(terms);
}

/**
 * Pearson's chi-square goodness-of-fit test, as `scipy.stats.chisquare(observed, expected)`:
 * Σ (o − e)² / e with k − 1 degrees of freedom. Like scipy, the two totals must agree to a
 * relative 1.5e-8 (a `DataError` otherwise).
 */
export function chiSquare(observed: ArrayLike<number>, expected: ArrayLike<number>): TestResult {
  sameLength(observed, expected, 'chiSquare');
  const so = pairwiseSum(observed);
  const se = pairwiseSum(expected);
  if (Math.abs(so - se) / Math.min(so, se) > Math.sqrt(2.220446049250313e-16)) {
    throw new DataError(`chiSquare: observed total ${so} and expected total ${se} differ`, { so, se });
  }
  const terms = new Float64Array(observed.length);
  for (let i = 0; i < terms.length; i++) terms[i] = (observed[i]! - expected[i]!) ** 2 / expected[i]!;
  const statistic = pairwiseSum(terms);
  return { statistic, pvalue: chi2Sf(terms.length - 1, statistic) };
}

/**
 * Population stability index Σ (r − c)·ln(r / c) over the shares of shared bins, as Evidently's
 * `psi` stat test. Empty bins would make it infinite, so zeros are first replaced (separately in
 * each array) by min(non-zero share)/10^6 when that minimum is ≤ 1e-4, else by 1e-4 — Evidently's
 * rule. Pass shares (each summing to 1), e.g. from `binnedShares`.
 */
export function psi(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  sameLength(reference, current, 'psi');
  const r = Float64Array.from(reference);
  const c = Float64Array.from(current);
  fillZeroShares(r);
  fillZeroShares(c);
  const terms = new Float64Array(r.length);
  for (let i = 0; i < r.length; i++) terms[i] = (r[i]! - c[i]!) * Math.log(r[i]! / c[i]!);
  return pairwiseSum(terms);
}

/**
 * Two-proportion z-test for binary data, as Evidently's `z` stat test: the share of the smallest
 * value in each sample, pooled standard error, p-value 2·Φ̄(|z|) from the normal survival function
 * (Evidently writes 2·(1 − Φ(|z|)), equal except where that underflows). When both samples hold one
 * and the same value the p-value is 1 (statistic 0). NaN and ±inf are dropped first.
 */
export function zTest(reference: ArrayLike<number>, current: ArrayLike<number>): TestResult {
  return zTestSorted(sortedPair(reference, current, 'zTest'));
}

/** `zTest` on an already sorted pair. */
export function zTestSorted(pair: SortedPair): TestResult {
  const a = pair.sorted('a');
  const b = pair.sorted('b');
  const n1 = a.length;
  const n2 = b.length;
  if (a[0] === a[n1 - 1] && b[0] === b[n2 - 1] && a[0] === b[0]) return { statistic: 0, pvalue: 1 };
  const target = Math.min(a[0]!, b[0]!);
  let k1 = 0;
  let k2 = 0;
  while (k1 < n1 && a[k1] === target) k1++;
  while (k2 < n2 && b[k2] === target) k2++;
  const p1 = k1 / n1;
  const p2 = k2 / n2;
  const pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
  const statistic = (p1 - p2) / Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  return { statistic, pvalue: 2 * normSf(Math.abs(statistic)) };
}
