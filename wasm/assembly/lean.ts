/** The lean inference engine's hot loops: tree-ensemble traversal over a batch and float32 matrix products. */

// The host owns memory above `heapBase()` and passes byte offsets; nothing here allocates. One instance
// serves one model, so its memory holds that model's constants and the per-run buffers.

export function heapBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

// A node is four 32-bit words: [head, threshold (f32), true child, false child]. `head` is -1 for a leaf
// (then the children words hold the first weight and the weight count), else the feature index with the
// branch mode in bits 24..26 and the missing-value-goes-true flag in bit 27. A weight is [target, value (f32)].
const FEATURE_MASK: i32 = 0xffffff;

@inline
function goesTrue(head: i32, x: f32, th: f32): bool {
  const mode = (head >> 24) & 7;
  let c: bool;
  if (mode == 0) c = x <= th;
  else if (mode == 1) c = x < th;
  else if (mode == 2) c = x >= th;
  else if (mode == 3) c = x > th;
  else if (mode == 4) c = x == th;
  else c = x != th;
  return c || ((head & (1 << 27)) != 0 && x != x);
}

/**
 * Sums the leaves each row reaches into `out` (`[nRows, nOut]` f32): per row and output the leaf weights are
 * added in float32 in tree order starting from 0, then the base value — onnxruntime's order, so the result is
 * bit-identical. `covered` (u8 per output) is 0 for outputs no leaf feeds, which stay 0.
 */
export function forest(
  nodes: usize,
  roots: usize,
  nTrees: i32,
  weights: usize,
  base: usize,
  covered: usize,
  nOut: i32,
  x: usize,
  nRows: i32,
  nFeatures: i32,
  out: usize,
  allLeq: i32,
): void {
  for (let r = 0; r < nRows; r++) {
    const row = x + ((<usize>r * <usize>nFeatures) << 2);
    const o = out + ((<usize>r * <usize>nOut) << 2);
    memory.fill(o, 0, <usize>nOut << 2);
    for (let t = 0; t < nTrees; t++) {
      let n = nodes + (<usize>load<i32>(roots + (<usize>t << 2)) << 4);
      let head = load<i32>(n);
      if (allLeq) {
        while (head >= 0) {
          const v = load<f32>(row + (<usize>(head & FEATURE_MASK) << 2));
          const th = load<f32>(n, 4);
          const left = v <= th || ((head & (1 << 27)) != 0 && v != v);
          n = nodes + (<usize>load<i32>(n + (left ? 8 : 12)) << 4);
          head = load<i32>(n);
        }
      } else {
        while (head >= 0) {
          const v = load<f32>(row + (<usize>(head & FEATURE_MASK) << 2));
          n = nodes + (<usize>load<i32>(n + (goesTrue(head, v, load<f32>(n, 4)) ? 8 : 12)) << 4);
          head = load<i32>(n);
        }
      }
      const first = load<i32>(n, 8);
      const count = load<i32>(n, 12);
      for (let w = weights + (<usize>first << 3), end = w + (<usize>count << 3); w < end; w += 8) {
        const p = o + (<usize>load<i32>(w) << 2);
        store<f32>(p, load<f32>(p) + load<f32>(w, 4));
      }
    }
    for (let j = 0; j < nOut; j++) {
      const p = o + (<usize>j << 2);
      if (load<u8>(covered + <usize>j)) store<f32>(p, load<f32>(p) + load<f32>(base + (<usize>j << 2)));
      else store<f32>(p, 0);
    }
  }
}

/**
 * `out = bias + a · b` for `a: [n, k]`, `b: [k, m]` row-major, `bias: [m]` (offset 0 = none), in onnxruntime's
 * (MLAS) float32 order: per output, float32 products summed in k order within blocks of `strideK`, each block's
 * sum added to the running value, which starts at the bias. Four columns at a time in f32x4 lanes (no fused
 * multiply-add), so every lane rounds exactly as the scalar loop does.
 */
export function matmul(a: usize, n: i32, k: i32, b: usize, m: i32, bias: usize, strideK: i32, out: usize): void {
  const m4 = m & ~3;
  for (let i = 0; i < n; i++) {
    const ar = a + ((<usize>i * <usize>k) << 2);
    const or = out + ((<usize>i * <usize>m) << 2);
    for (let j = 0; j < m4; j += 4) {
      let c = bias ? v128.load(bias + (<usize>j << 2)) : f32x4.splat(0);
      for (let k0 = 0; k0 < k; k0 += strideK) {
        const k1 = min(k, k0 + strideK);
        let acc = f32x4.splat(0);
        for (let p = k0; p < k1; p++) {
          const bv = v128.load(b + ((<usize>p * <usize>m + <usize>j) << 2));
          acc = f32x4.add(acc, f32x4.mul(f32x4.splat(load<f32>(ar + (<usize>p << 2))), bv));
        }
        c = f32x4.add(c, acc);
      }
      v128.store(or + (<usize>j << 2), c);
    }
    for (let j = m4; j < m; j++) {
      let c: f32 = bias ? load<f32>(bias + (<usize>j << 2)) : 0;
      for (let k0 = 0; k0 < k; k0 += strideK) {
        const k1 = min(k, k0 + strideK);
        let acc: f32 = 0;
        for (let p = k0; p < k1; p++) {
          acc += load<f32>(ar + (<usize>p << 2)) * load<f32>(b + ((<usize>p * <usize>m + <usize>j) << 2));
        }
        c += acc;
      }
      store<f32>(or + (<usize>j << 2), c);
    }
  }
}
