/** Drift-statistics WASM core: sorting, two-sample ECDF statistics and histograms over caller-owned memory. */

// The host owns memory above `heapBase()` and passes byte offsets; nothing here allocates.

const DIGITS: i32 = 6;
const RADIX: i32 = 2048;
const SIGN: u64 = 0x8000000000000000;
const HIST: usize = memory.data(DIGITS * RADIX * 4, 16);

/** First byte the host may use for its buffers. */
export function heapBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

@inline
function shiftOf(d: i32): u64 {
  return d < 4 ? <u64>(d * 11) : <u64>(44 + (d - 4) * 10);
}

@inline
function maskOf(d: i32): u64 {
  return d < 4 ? 0x7ff : 0x3ff;
}

@inline
function bucket(d: i32, b: u64): usize {
  return HIST + ((<usize>d * RADIX + <usize>b) << 2);
}

/**
 * Drops NaN and ±inf from the `n` float64 values at `ptr`, turns -0 into +0 and sorts the rest
 * ascending in place (LSD radix sort on order-preserving 64-bit keys; `tmp` holds `n` scratch
 * values). Returns how many values remain.
 */
export function sortFinite(ptr: usize, n: i32, tmp: usize): i32 {
  memory.fill(HIST, 0, DIGITS * RADIX * 4);
  let m: i32 = 0;
  for (let i: i32 = 0; i < n; i++) {
    const x = load<f64>(ptr + (<usize>i << 3));
    if (x - x != 0) continue;
    const bits = reinterpret<u64>(x + 0.0);
    const key = bits ^ (<u64>(<i64>bits >> 63) | SIGN);
    store<u64>(ptr + (<usize>m << 3), key);
    m++;
    for (let d: i32 = 0; d < DIGITS; d++) {
      const at = bucket(d, (key >> shiftOf(d)) & maskOf(d));
      store<u32>(at, load<u32>(at) + 1);
    }
  }
  if (m == 0) return 0;
  let src = ptr;
  let dst = tmp;
  for (let d: i32 = 0; d < DIGITS; d++) {
    const shift = shiftOf(d);
    const mask = maskOf(d);
    const first = (load<u64>(src) >> shift) & mask;
    if (load<u32>(bucket(d, first)) == <u32>m) continue;
    let sum: u32 = 0;
    for (let b: u64 = 0; b <= mask; b++) {
      const at = bucket(d, b);
      const c = load<u32>(at);
      store<u32>(at, sum);
      sum += c;
    }
    for (let i: i32 = 0; i < m; i++) {
      const key = load<u64>(src + (<usize>i << 3));
      const at = bucket(d, (key >> shift) & mask);
      const pos = load<u32>(at);
      store<u32>(at, pos + 1);
      store<u64>(dst + (<usize>pos << 3), key);
    }
    const t = src;
    src = dst;
    dst = t;
  }
  for (let i: i32 = 0; i < m; i++) {
    const key = load<u64>(src + (<usize>i << 3));
    store<u64>(ptr + (<usize>i << 3), key ^ (<u64>(<i64>~key >> 63) | SIGN));
  }
  return m;
}

/** Number of distinct values in the sorted run of `n` values at `ptr`. */
export function countUnique(ptr: usize, n: i32): i32 {
  if (n == 0) return 0;
  let count: i32 = 1;
  let prev = load<f64>(ptr);
  for (let i: i32 = 1; i < n; i++) {
    const x = load<f64>(ptr + (<usize>i << 3));
    if (x != prev) count++;
    prev = x;
  }
  return count;
}

/** Distinct values of the union of two sorted samples (at most `limit`; -1 when more). */
export function countUniqueUnion(pa: usize, na: i32, pb: usize, nb: i32, limit: i32): i32 {
  let i: i32 = 0;
  let j: i32 = 0;
  let count: i32 = 0;
  while (i < na || j < nb) {
    const a = i < na ? load<f64>(pa + (<usize>i << 3)) : Infinity;
    const b = j < nb ? load<f64>(pb + (<usize>j << 3)) : Infinity;
    const v = a < b ? a : b;
    while (i < na && load<f64>(pa + (<usize>i << 3)) == v) i++;
    while (j < nb && load<f64>(pb + (<usize>j << 3)) == v) j++;
    count++;
    if (count > limit) return -1;
  }
  return count;
}

let ksMax: f64 = 0;
let ksMin: f64 = 0;

/**
 * Largest |F_a(x) - F_b(x)| over the data points of two sorted samples, each ECDF value computed
 * as count / n exactly as scipy's `ks_2samp` (so the statistic matches it bit for bit).
 * `ksPositive()`/`ksNegative()` then give the largest positive and negative differences.
 */
export function ksStatistic(pa: usize, na: i32, pb: usize, nb: i32): f64 {
  const n1 = <f64>na;
  const n2 = <f64>nb;
  let i: i32 = 0;
  let j: i32 = 0;
  let hi: f64 = 0;
  let lo: f64 = 0;
  while (i < na && j < nb) {
    const a = load<f64>(pa + (<usize>i << 3));
    const b = load<f64>(pb + (<usize>j << 3));
    const v = a < b ? a : b;
    while (i < na && load<f64>(pa + (<usize>i << 3)) <= v) i++;
    while (j < nb && load<f64>(pb + (<usize>j << 3)) <= v) j++;
    const diff = <f64>i / n1 - <f64>j / n2;
    if (diff > hi) hi = diff;
    if (diff < lo) lo = diff;
  }
  ksMax = hi;
  ksMin = lo;
  return hi > -lo ? hi : -lo;
}

/** Largest F_a - F_b of the last `ksStatistic` call (≥ 0). */
export function ksPositive(): f64 {
  return ksMax;
}

/** Largest F_b - F_a of the last `ksStatistic` call (≥ 0). */
export function ksNegative(): f64 {
  return -ksMin;
}

/**
 * Wasserstein-1 distance ∫|F_a - F_b| between two sorted samples: the sum over consecutive
 * distinct values of |F_a - F_b| times the gap, as scipy's `_cdf_distance(1, ...)`, accumulated
 * with Neumaier's compensation (scipy's pairwise sum is within ~1e-15 of it).
 */
export function wasserstein(pa: usize, na: i32, pb: usize, nb: i32): f64 {
  const n1 = <f64>na;
  const n2 = <f64>nb;
  let i: i32 = 0;
  let j: i32 = 0;
  let sum: f64 = 0;
  let comp: f64 = 0;
  let a = load<f64>(pa);
  let b = load<f64>(pb);
  let v = a < b ? a : b;
  while (i < na || j < nb) {
    while (i < na && a <= v) {
      i++;
      a = i < na ? load<f64>(pa + (<usize>i << 3)) : Infinity;
    }
    while (j < nb && b <= v) {
      j++;
      b = j < nb ? load<f64>(pb + (<usize>j << 3)) : Infinity;
    }
    const next = a < b ? a : b;
    if (next == Infinity) break;
    const term = Math.abs(<f64>i / n1 - <f64>j / n2) * (next - v);
    const t = sum + term;
    comp += Math.abs(sum) >= Math.abs(term) ? sum - t + term : term - t + sum;
    sum = t;
    v = next;
  }
  return sum + comp;
}

@inline
function lowerBound(ptr: usize, n: i32, x: f64): i32 {
  let lo: i32 = 0;
  let hi: i32 = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (load<f64>(ptr + (<usize>mid << 3)) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

@inline
function upperBound(ptr: usize, n: i32, x: f64): i32 {
  let lo: i32 = 0;
  let hi: i32 = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (load<f64>(ptr + (<usize>mid << 3)) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * numpy.histogram of a sorted sample over `nEdges` ascending edges: bin k is [e_k, e_k+1), the
 * last bin is closed. Writes `nEdges - 1` float64 counts at `out`.
 */
export function histogram(ptr: usize, n: i32, edges: usize, nEdges: i32, out: usize): void {
  let prev = lowerBound(ptr, n, load<f64>(edges));
  for (let k: i32 = 1; k < nEdges; k++) {
    const e = load<f64>(edges + (<usize>k << 3));
    const at = k == nEdges - 1 ? upperBound(ptr, n, e) : lowerBound(ptr, n, e);
    store<f64>(out + (<usize>(k - 1) << 3), <f64>(at - prev));
    prev = at;
  }
}
