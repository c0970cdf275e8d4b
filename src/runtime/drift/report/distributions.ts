/** What the drift report draws per column: shares over shared Sturges bins, or shares per category. */
import { sturgesEdges, valueCounts } from '../binning.js';
import { sortedPair } from '../stats.js';

/** Reference and current shares of one column, over histogram bins or distinct values. */
export interface ColumnDistribution {
  /** `histogram`: bins between consecutive `edges`; `values`: one bar per entry of `keys`. */
  kind: 'histogram' | 'values';
  edges: number[];
  keys: number[];
  reference: number[];
  current: number[];
  /** Distinct values left out of a `values` chart (the least frequent), 0 otherwise. */
  hidden: number;
}

/** Categories drawn at most; rarer ones are counted in `hidden`. */
export const MAX_CATEGORIES = 30;

/**
 * The distributions of `reference[column]` and `current[column]` (finite values only): numerical
 * columns as shares per bin of `sturgesEdges` over reference ∪ current — the bins Evidently
 * draws — and categorical ones as shares per distinct value, most frequent first.
 */
export function columnDistribution(
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
  kind: 'numerical' | 'categorical',
): ColumnDistribution {
  const pair = sortedPair(reference, current, 'columnDistribution');
  // The pair's arrays are views into the kernel's memory: read them before the next pair.
  const a = pair.sorted('a');
  const b = pair.sorted('b');
  if (kind === 'numerical') {
    const edges = sturgesEdges(a, b);
    return {
      kind: 'histogram',
      edges: Array.from(edges),
      keys: [],
      reference: Array.from(pair.histogram('a', edges), (c) => c / pair.na),
      current: Array.from(pair.histogram('b', edges), (c) => c / pair.nb),
      hidden: 0,
    };
  }
  const counts = valueCounts(a, b);
  const order = counts.keys
    .map((_, i) => i)
    .sort(
      (i, j) =>
        counts.a[j]! / pair.na + counts.b[j]! / pair.nb - counts.a[i]! / pair.na - counts.b[i]! / pair.nb,
    )
    .slice(0, MAX_CATEGORIES)
    .sort((i, j) => counts.keys[i]! - counts.keys[j]!);
  return {
    kind: 'values',
    edges: [],
    keys: order.map((i) => counts.keys[i]!),
    reference: order.map((i) => counts.a[i]! / pair.na),
    current: order.map((i) => counts.b[i]! / pair.nb),
    hidden: counts.keys.length - order.length,
  };
}
