/** The contract of the drift kernels (WASM or plain JS) and the JS one, which also serves as reference. */

/** Two samples with NaN/±inf dropped and each sorted ascending, ready for two-sample statistics. */
export interface SortedPair {
  readonly na: number;
  readonly nb: number;
  /** Sorted finite values of the first or second sample; a view valid until the kernel's next `pair` call. */
  sorted(which: 'a' | 'b'): Float64Array;
  /** Largest positive and negative ECDF differences F_a − F_b over the data points (both ≥ 0). */
  ksDifferences(): { positive: number; negative: number };
  /** ∫ |F_a − F_b| dx. */
  wasserstein(): number;
  /** Distinct values in a ∪ b, or -1 when there are more than `limit`. */
  uniqueUnion(limit: number): number;
  /** numpy.histogram counts of one sample over ascending `edges` (last bin closed). */
  histogram(which: 'a' | 'b', edges: Float64Array): Float64Array;
}

/** Sorting and the ECDF sweeps behind the statistics; `initDriftWasm` swaps in the WASM one. */
export interface DriftKernel {
  readonly kind: 'wasm' | 'js';
  pair(a: ArrayLike<number>, b: ArrayLike<number>): SortedPair;
}

/** Finite values of `values`, -0 as +0, sorted ascending. */
export function sortFinite(values: ArrayLike<number>): Float64Array {
  const out = new Float64Array(values.length);
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (Number.isFinite(x)) out[m++] = x + 0;
  }
  return out.subarray(0, m).sort();
}

/** Index of the first value ≥ x (`right`: > x) in a sorted array. */
export function searchSorted(sorted: Float64Array, x: number, right = false): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x || (right && sorted[mid] === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** numpy.histogram of a sorted sample over ascending edges. */
export function histogramSorted(sorted: Float64Array, edges: Float64Array): Float64Array {
  const out = new Float64Array(Math.max(edges.length - 1, 0));
  let prev = searchSorted(sorted, edges[0]!);
  for (let k = 1; k < edges.length; k++) {
    const at = searchSorted(sorted, edges[k]!, k === edges.length - 1);
    out[k - 1] = at - prev;
    prev = at;
  }
  return out;
}

/** The plain-JS kernel: `Float64Array.prototype.sort` and straightforward merges. */
export const jsKernel: DriftKernel = {
  kind: 'js',
  pair(a, b) {
    const sa = sortFinite(a);
    const sb = sortFinite(b);
    return {
      na: sa.length,
      nb: sb.length,
      sorted: (which) => (which === 'a' ? sa : sb),
      ksDifferences: () => ksSweep(sa, sb),
      wasserstein: () => wassersteinSweep(sa, sb),
      uniqueUnion: (limit) => uniqueUnion(sa, sb, limit),
      histogram: (which, edges) => histogramSorted(which === 'a' ? sa : sb, edges),
    };
  },
};

function ksSweep(a: Float64Array, b: Float64Array): { positive: number; negative: number } {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let hi = 0;
  let lo = 0;
  while (i < n1 && j < n2) {
    const v = Math.min(a[i]!, b[j]!);
    while (i < n1 && a[i]! <= v) i++;
    while (j < n2 && b[j]! <= v) j++;
    const diff = i / n1 - j / n2;
    if (diff > hi) hi = diff;
    if (diff < lo) lo = diff;
  }
  return { positive: hi, negative: -lo };
}

function wassersteinSweep(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let sum = 0;
  let comp = 0;
  let v = Math.min(a[0]!, b[0]!);
  for (;;) {
    while (i < n1 && a[i]! <= v) i++;
    while (j < n2 && b[j]! <= v) j++;
    const next = Math.min(i < n1 ? a[i]! : Infinity, j < n2 ? b[j]! : Infinity);
    if (next === Infinity) break;
    const term = Math.abs(i / n1 - j / n2) * (next - v);
    const t = sum + term;
    comp += Math.abs(sum) >= Math.abs(term) ? sum - t + term : term - t + sum;
    sum = t;
    v = next;
  }
  return sum + comp;
}

function uniqueUnion(a: Float64Array, b: Float64Array, limit: number): number {
  let i = 0;
  let j = 0;
  let count = 0;
  while (i < a.length || j < b.length) {
    const v = Math.min(i < a.length ? a[i]! : Infinity, j < b.length ? b[j]! : Infinity);
    while (i < a.length && a[i] === v) i++;
    while (j < b.length && b[j] === v) j++;
    if (++count > limit) return -1;
  }
  return count;
}
