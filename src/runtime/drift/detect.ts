/** detectDrift: per-column drift tests chosen as Evidently chooses them by default, summarised as a DriftSummary. */

import { DataError } from '../errors.js';
import { binnedShares, valueCounts } from './binning.js';
import type { SortedPair } from './kernel.js';
import { chiSquare, jensenShannon, klDivergence, ksTest, psi, sortedPair, zTestSorted } from './stats.js';
import { meanStd } from './sum.js';
import type { ColumnDrift, DriftMethod, DriftSummary } from './summary.js';

/** Evidently's default thresholds: a significance level for p-value tests, a distance otherwise. */
export const DEFAULT_THRESHOLDS: Readonly<Record<DriftMethod, number>> = {
  ks: 0.05,
  chisquare: 0.05,
  z: 0.05,
  wasserstein: 0.1,
  jensenshannon: 0.1,
  psi: 0.1,
  kl: 0.1,
};

/** Columns, test method, threshold and dataset drift share for `detectDrift`. */
export interface DetectDriftOptions {
  /** Columns to test (default: every reference column). */
  columns?: string[];
  /** `auto` (default) picks per column as Evidently; any other forces one test for all columns. */
  method?: 'auto' | DriftMethod;
  /** Overrides the method's default threshold (p-value level or distance). */
  threshold?: number;
  /** Dataset drift when the share of drifted columns is ≥ this. @default 0.5 */
  driftShare?: number;
  /** Columns whose values are category codes (Evidently's `cat` type); others are numerical. */
  categorical?: string[];
  /** Timestamp to record (default: now). */
  now?: () => Date;
}

/** Few distinct values make a numerical column categorical-like for Evidently. */
const FEW_VALUES = 5;
/** Reference size up to which Evidently uses p-value tests. */
const SMALL_REFERENCE = 1000;

/**
 * Evidently's `_get_default_stattest` for numeric data: with a reference of ≤ 1000 rows, KS for
 * columns with > 5 distinct values (reference ∪ current), chi-square for 3–5, z-test for ≤ 2;
 * above 1000 rows, Wasserstein (normed by the reference std) for > 5 values, Jensen–Shannon
 * otherwise. Declared categorical columns: chi-square/z-test up to 1000 rows, Jensen–Shannon above.
 */
export function defaultDriftMethod(nReference: number, nUnique: number, categorical: boolean): DriftMethod {
  if (nReference <= SMALL_REFERENCE) {
    if (categorical || nUnique <= FEW_VALUES) return nUnique > 2 ? 'chisquare' : 'z';
    return 'ks';
  }
  return categorical || nUnique <= FEW_VALUES ? 'jensenshannon' : 'wasserstein';
}

/** Runs one test on a sorted pair; returns the score, the statistic behind it and the verdict. */
export function runDriftTest(
  method: DriftMethod,
  pair: SortedPair,
  threshold: number,
  numerical: boolean,
): { score: number; statistic: number | null; drifted: boolean } {
  switch (method) {
    case 'ks': {
      const r = ksTest(pair);
      return { score: r.pvalue, statistic: r.statistic, drifted: r.pvalue <= threshold };
    }
    case 'chisquare': {
      const { keys, a, b } = valueCounts(pair.sorted('a'), pair.sorted('b'));
      const scale = pair.nb / pair.na;
      const r = chiSquare(
        b,
        keys.map((_, i) => a[i]! * scale),
      );
      return { score: r.pvalue, statistic: r.statistic, drifted: r.pvalue < threshold };
    }
    case 'z': {
      const r = zTestSorted(pair);
      return { score: r.pvalue, statistic: r.statistic, drifted: r.pvalue < threshold };
    }
    case 'wasserstein': {
      const norm = Math.max(meanStd(pair.sorted('a')).std, 0.001);
      const score = pair.wasserstein() / norm;
      return { score, statistic: null, drifted: score >= threshold };
    }
    default: {
      const shares = binnedShares(pair, numerical);
      const distance = method === 'jensenshannon' ? jensenShannon : method === 'psi' ? psi : klDivergence;
      const score = distance(shares.reference, shares.current);
      return { score, statistic: null, drifted: score >= threshold };
    }
  }
}

/**
 * Tests every column of `current` against `reference` and summarises the verdicts.
 *
 * NaN and ±inf are dropped per column before testing. Columns missing from `current` (or from
 * `reference`) are a `DataError` naming them; so is a column left without finite values.
 *
 * @example
 * const summary = detectDrift({ load: lastYear }, { load: lastWeek });
 * summary.columns.load; // { method: 'wasserstein', threshold: 0.1, score: 0.42, drifted: true, ... }
 */
export function detectDrift(
  reference: Record<string, ArrayLike<number>>,
  current: Record<string, ArrayLike<number>>,
  options: DetectDriftOptions = {},
): DriftSummary {
  const columns = options.columns ?? Object.keys(reference);
  const driftShare = options.driftShare ?? 0.5;
  const categorical = new Set(options.categorical ?? []);
  const missingReference = columns.filter((c) => reference[c] === undefined);
  if (missingReference.length > 0) {
    throw new DataError(`reference data has no column ${quoteList(missingReference)}`, {
      missing: missingReference,
    });
  }
  const missing = columns.filter((c) => current[c] === undefined);
  if (missing.length > 0) {
    throw new DataError(`current data has no column ${quoteList(missing)} (present in the reference)`, {
      missing,
      available: Object.keys(current),
    });
  }
  const results: Record<string, ColumnDrift> = {};
  for (const column of columns) {
    let pair: SortedPair;
    try {
      pair = sortedPair(reference[column]!, current[column]!, `column "${column}"`);
    } catch (error) {
      throw new DataError(
        `column "${column}" has no finite values in the ${pair0Side(reference[column]!)} data`,
        { column },
        error,
      );
    }
    const nUnique = pair.uniqueUnion(FEW_VALUES);
    const isCategorical = categorical.has(column) || (nUnique !== -1 && nUnique <= FEW_VALUES);
    const method =
      options.method && options.method !== 'auto'
        ? options.method
        : defaultDriftMethod(pair.na, nUnique === -1 ? FEW_VALUES + 1 : nUnique, categorical.has(column));
    const threshold = options.threshold ?? DEFAULT_THRESHOLDS[method];
    const test = runDriftTest(method, pair, threshold, !isCategorical);
    results[column] = {
      method,
      threshold,
      ...test,
      kind: isCategorical ? 'categorical' : 'numerical',
      n_reference: pair.na,
      n_current: pair.nb,
    };
  }
  const total = columns.length;
  const nDrifted = columns.filter((c) => results[c]!.drifted).length;
  const share = total === 0 ? 0 : nDrifted / total;
  return {
    drift_detected: nDrifted > 0,
    dataset_drift_score: share,
    n_drifted: nDrifted,
    total,
    feature_drift: Object.fromEntries(columns.map((c) => [c, results[c]!.score])),
    report_path: null,
    timestamp: (options.now?.() ?? new Date()).toISOString(),
    columns: results,
    dataset_drift: total > 0 && share >= driftShare,
    drift_share: driftShare,
  };
}

function pair0Side(reference: ArrayLike<number>): string {
  for (let i = 0; i < reference.length; i++) if (Number.isFinite(reference[i]!)) return 'current';
  return 'reference';
}

function quoteList(names: string[]): string {
  return names.map((n) => `"${n}"`).join(', ');
}
