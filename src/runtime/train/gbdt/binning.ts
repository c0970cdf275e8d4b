/** Quantile binning: float32 bin edges per feature from the training rows, and the row-major bin matrix. */
import { mulberry32 } from '../../synthetic.js';

/** Bin of a missing (NaN) value in every feature; value bins are 0 … nBins-1 ≤ 254. */
export const MISSING_BIN = 255;

/** Rows sampled to place the bin edges (LightGBM samples 200,000; quantiles settle well before). */
const SAMPLE_ROWS = 100_000;

/** Per-feature bin edges. Value bin b of feature f holds the float32 values x with
 * `edges[f][b-1] < x <= edges[f][b]`; the last value bin is unbounded above. */
export interface BinMapper {
  nFeatures: number;
  /** Value bins per feature, 1 … maxBins (1 means the feature is constant and never split). */
  nBins: Int32Array;
  /** `nBins[f] - 1` float32 upper edges per feature, increasing. */
  edges: Float32Array[];
}

/** Binned rows, row-major, on a SharedArrayBuffer. */
export interface BinMatrix {
  n: number;
  nFeatures: number;
  /** Bytes per row of `bins`, a multiple of 4 (histograms read four bins at a time). */
  stride: number;
  /** `[n, stride]`; padding bytes are bin 0. */
  bins: Uint8Array;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 bits → an unsigned key in the same order as the values (NaN excluded). */
function keyOfBits(bits: number): number {
  return (bits ^ ((bits >> 31) | 0x80000000)) >>> 0;
}

function keyOf(v: number): number {
  f32[0] = v;
  return keyOfBits(u32[0]!);
}

function valueOfKey(key: number): number {
  u32[0] = key & 0x80000000 ? key ^ 0x80000000 : ~key;
  return f32[0]!;
}

/** LSD radix sort of unsigned 32-bit keys (three passes of 11 bits). */
function radixSort(keys: Uint32Array, scratch: Uint32Array): Uint32Array {
  let src = keys;
  let dst = scratch;
  const count = new Int32Array(2048);
  for (let shift = 0; shift < 32; shift += 11) {
    count.fill(0);
    for (let i = 0; i < src.length; i++) count[(src[i]! >>> shift) & 2047]!++;
    for (let b = 0, sum = 0; b < 2048; b++) {
      const c = count[b]!;
      count[b] = sum;
      sum += c;
    }
    for (let i = 0; i < src.length; i++) dst[count[(src[i]! >>> shift) & 2047]!++] = src[i]!;
    [src, dst] = [dst, src];
  }
  return src;
}

/** Sorted row indices of a seeded sample without replacement (Knuth's selection sampling). */
function sampleRows(n: number, k: number, seed: number): Int32Array {
  if (n <= k) return Int32Array.from({ length: n }, (_, i) => i);
  const rand = mulberry32(seed ^ 0x5bd1e995);
  const out = new Int32Array(k);
  let need = k;
  for (let i = 0, j = 0; i < n && need > 0; i++) {
    if (rand() * (n - i) < need) {
      out[j++] = i;
      need--;
    }
  }
  return out;
}

/** A float32 edge e with a <= e < b, close to their midpoint. */
function edgeBetween(a: number, b: number): number {
  const e = Math.fround(a / 2 + b / 2);
  return e >= b ? a : e === 0 ? 0 : e;
}

/**
 * LightGBM's greedy binning over sorted distinct values: values holding at least a bin's share of rows get
 * their own bin, the rest are cut into bins of about equal counts.
 */
function greedyEdges(
  values: Float64Array,
  counts: Float64Array,
  total: number,
  maxBins: number,
): Float32Array {
  const m = values.length;
  if (m <= maxBins) {
    const edges = new Float32Array(Math.max(0, m - 1));
    for (let i = 0; i + 1 < m; i++) edges[i] = edgeBetween(values[i]!, values[i + 1]!);
    return edges;
  }
  let mean = total / maxBins;
  const big = new Uint8Array(m);
  let restBins = maxBins;
  let restCount = total;
  for (let i = 0; i < m; i++) {
    if (counts[i]! >= mean) {
      big[i] = 1;
      restBins--;
      restCount -= counts[i]!;
    }
  }
  mean = restCount / Math.max(1, restBins);
  const edges: number[] = [];
  let inBin = 0;
  for (let i = 0; i + 1 < m && edges.length < maxBins - 1; i++) {
    if (!big[i]) restCount -= counts[i]!;
    inBin += counts[i]!;
    if (big[i] || inBin >= mean || (big[i + 1] && inBin >= Math.max(1, mean / 2))) {
      edges.push(edgeBetween(values[i]!, values[i + 1]!));
      inBin = 0;
      if (!big[i]) {
        restBins--;
        mean = restCount / Math.max(1, restBins);
      }
    }
  }
  return Float32Array.from(edges);
}

/**
 * Places at most `maxBins` value bins per feature at quantiles of (a seeded sample of) the training rows,
 * comparing values as float32 so that `x <= edge` means the same to the trainer and to ONNX.
 * @param x row-major `[n, nFeatures]`; NaN is missing.
 */
export function fitBinMapper(
  x: Float64Array,
  n: number,
  nFeatures: number,
  maxBins: number,
  seed: number,
): BinMapper {
  const rows = sampleRows(n, SAMPLE_ROWS, seed);
  const k = rows.length;
  // Keys column by column (one pass over the sampled rows); NaN is left out of its column.
  const keys = new Uint32Array(nFeatures * k);
  const kept = new Int32Array(nFeatures);
  for (let i = 0; i < k; i++) {
    const row = rows[i]! * nFeatures;
    for (let f = 0; f < nFeatures; f++) {
      const v = x[row + f]!;
      if (!Number.isNaN(v)) keys[f * k + kept[f]!++] = keyOf(v);
    }
  }
  const scratch = new Uint32Array(k);
  const values = new Float64Array(k);
  const counts = new Float64Array(k);
  const nBins = new Int32Array(nFeatures);
  const edges: Float32Array[] = [];
  for (let f = 0; f < nFeatures; f++) {
    const kf = kept[f]!;
    const sorted = radixSort(keys.subarray(f * k, f * k + kf), scratch.subarray(0, kf));
    let m = 0;
    for (let i = 0; i < kf; i++) {
      const v = valueOfKey(sorted[i]!);
      // -0 and +0 are one value.
      if (m > 0 && v === values[m - 1]) counts[m - 1]!++;
      else {
        values[m] = v === 0 ? 0 : v;
        counts[m++] = 1;
      }
    }
    const e = greedyEdges(values.subarray(0, m), counts.subarray(0, m), kf, maxBins);
    edges.push(e);
    nBins[f] = e.length + 1;
  }
  return { nFeatures, nBins, edges };
}

/** Value bin of a float32 value: the first b with `v <= edges[b]`, else the last bin. */
export function binOf(edges: Float32Array, v: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v <= edges[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** For each 16-bit key prefix, the bin of the smallest value with that prefix (a lower bound for all of them). */
function prefixTable(edges: Float32Array, table: Uint8Array): void {
  let b = 0;
  for (let p = 0; p < 65536; p++) {
    const lowest = p * 65536;
    while (b < edges.length && keyOf(edges[b]!) < lowest) b++;
    table[p] = b;
  }
}

/** Bins every row of `x` (row-major `[n, nFeatures]`) into a matrix on a SharedArrayBuffer. */
export function binRows(mapper: BinMapper, x: Float64Array, n: number): BinMatrix {
  const F = mapper.nFeatures;
  const stride = (F + 3) & ~3;
  const bins = new Uint8Array(new SharedArrayBuffer(Math.max(4, n * stride)));
  const tables = new Uint8Array(F * 65536);
  for (let f = 0; f < F; f++) prefixTable(mapper.edges[f]!, tables.subarray(f * 65536, (f + 1) * 65536));
  const row = new Float32Array(F);
  const bits = new Uint32Array(row.buffer);
  const { edges } = mapper;
  for (let r = 0; r < n; r++) {
    for (let f = 0; f < F; f++) row[f] = x[r * F + f]!;
    const out = r * stride;
    for (let f = 0; f < F; f++) {
      const v = row[f]!;
      let b = MISSING_BIN;
      if (!Number.isNaN(v)) {
        const e = edges[f]!;
        b = tables[f * 65536 + (keyOfBits(bits[f]!) >>> 16)]!;
        while (b < e.length && v > e[b]!) b++;
      }
      bins[out + f] = b;
    }
  }
  return { n, nFeatures: F, stride, bins };
}
