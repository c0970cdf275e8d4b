/** Histograms with Sturges bin edges over reference ∪ current, and Evidently's binned shares with its zero fill. */

import type { SortedPair } from './kernel.js';

/** numpy.histogram_bin_edges(concat(a, b), bins='sturges') from the sorted finite samples. */
export function sturgesEdges(a: Float64Array, b: Float64Array): Float64Array {
  const n = a.length + b.length;
  if (n === 0) return Float64Array.of(0, 1);
  const lo = Math.min(a.length ? a[0]! : Infinity, b.length ? b[0]! : Infinity);
  const hi = Math.max(a.length ? a[a.length - 1]! : -Infinity, b.length ? b[b.length - 1]! : -Infinity);
  const width = (hi - lo) / (Math.log2(n) + 1);
  const first = lo === hi ? lo - 0.5 : lo;
  const last = lo === hi ? hi + 0.5 : hi;
  const bins = width ? Math.ceil((last - first) / width) : 1;
  const step = (last - first) / bins;
  const edges = new Float64Array(bins + 1);
  for (let i = 0; i < bins; i++) edges[i] = i * step + first;
  edges[bins] = last;
  return edges;
}

/** Distinct values of two sorted samples and how often each occurs in each. */
export function valueCounts(a: Float64Array, b: Float64Array): { keys: number[]; a: number[]; b: number[] } {
  const keys: number[] = [];
  const ca: number[] = [];
  const cb: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const v = Math.min(i < a.length ? a[i]! : Infinity, j < b.length ? b[j]! : Infinity);
    let x = 0;
    let y = 0;
    while (i < a.length && a[i] === v) {
      i++;
      x++;
    }
    while (j < b.length && b[j] === v) {
      j++;
      y++;
    }
    keys.push(v);
    ca.push(x);
    cb.push(y);
  }
  return { keys, a: ca, b: cb };
}

/** Reference and current shares per bin, plus what the bins are. */
export interface BinnedShares {
  /** `histogram`: Sturges bins with `edges`; `values`: one bin per distinct value in `keys`. */
  kind: 'histogram' | 'values';
  edges: number[] | null;
  keys: number[] | null;
  reference: Float64Array;
  current: Float64Array;
}

/**
 * Evidently's `get_binned_data`: a numerical column whose reference has more than 20 distinct
 * values gets Sturges bins over reference ∪ current, anything else one bin per distinct value;
 * shares are count / n. With `fillZeroes`, empty bins get min(non-zero share)/10^6 when that
 * minimum is ≤ 1e-4 and 1e-4 otherwise, so logarithms stay finite (PSI, KL, Jensen–Shannon).
 */
export function binnedShares(pair: SortedPair, numerical: boolean, fillZeroes = true): BinnedShares {
  const a = pair.sorted('a');
  const b = pair.sorted('b');
  const na = a.length;
  const nb = b.length;
  let out: BinnedShares;
  if (numerical && distinct(a, 21) > 20) {
    const edges = sturgesEdges(a, b);
    const ca = pair.histogram('a', edges);
    const cb = pair.histogram('b', edges);
    out = {
      kind: 'histogram',
      edges: Array.from(edges),
      keys: null,
      reference: ca.map((c) => c / na),
      current: cb.map((c) => c / nb),
    };
  } else {
    const counts = valueCounts(pair.sorted('a'), pair.sorted('b'));
    out = {
      kind: 'values',
      edges: null,
      keys: counts.keys,
      reference: Float64Array.from(counts.a, (c) => c / na),
      current: Float64Array.from(counts.b, (c) => c / nb),
    };
  }
  if (fillZeroes) {
    fillZeroShares(out.reference);
    fillZeroShares(out.current);
  }
  return out;
}

/** Evidently's floor for empty bins, in place. */
export function fillZeroShares(shares: Float64Array): void {
  let min = Infinity;
  for (const s of shares) if (s !== 0 && s < min) min = s;
  if (min === Infinity) return;
  const fill = min <= 0.0001 ? min / 10 ** 6 : 0.0001;
  for (let i = 0; i < shares.length; i++) if (shares[i] === 0) shares[i] = fill;
}

/** Distinct values of a sorted array, counting no further than `limit`. */
export function distinct(sorted: Float64Array, limit = Number.MAX_SAFE_INTEGER): number {
  let count = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) count++;
    if (count >= limit) return count;
  }
  return count;
}
