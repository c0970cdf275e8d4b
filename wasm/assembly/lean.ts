/** The lean inference engine's hot loops: tree-ensemble traversal over a batch and float32 matrix products. */

// The host owns memory above `heapBase()` and passes byte offsets; nothing here allocates. One instance
// serves one model, so its memory holds that model's constants and the per-run buffers.

export function heapBase(): usize {
  return (__heap_base + 15) & ~(<usize>15);
}

// A node is four 32-bit words: [head, threshold (f32), true child, false child]. `head` holds the feature index,
// the branch mode in bits 24..26, the missing-value-goes-true flag in bit 27 and, on leaves, bit 30; a leaf reads
// feature 0 and points to itself on both sides. `leaves` holds [first weight, weight count] per node; a weight is
// [target, value (f32)].
const FEATURE_MASK: i32 = 0xffffff;
const LEAF_BIT: i32 = 1 << 30;
const MISSING_BIT: i32 = 1 << 27;

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
  return c || ((head & MISSING_BIT) != 0 && x != x);
}

/** One BRANCH_LEQ step from node `n` (a byte offset) for the row at `row`, branch-free; a leaf stays put. */
@inline
function stepLeq(nodes: usize, n: usize, row: usize): usize {
  const head = load<i32>(n);
  const v = load<f32>(row + (<usize>(head & FEATURE_MASK) << 2));
  const left = (v <= load<f32>(n, 4)) | ((head & MISSING_BIT) != 0 && v != v);
  return nodes + (<usize>load<i32>(n + select<usize>(8, 12, left)) << 4);
}

/** Adds the weights of the leaf at byte offset `n` to the output row at `o` (float32 adds, weight order). */
@inline
function addLeaf(nodes: usize, leaves: usize, weights: usize, n: usize, o: usize): void {
  const leaf = leaves + ((n - nodes) >> 1);
  const first = load<i32>(leaf);
  const count = load<i32>(leaf, 4);
  for (let w = weights + (<usize>first << 3), end = w + (<usize>count << 3); w < end; w += 8) {
    const p = o + (<usize>load<i32>(w) << 2);
    store<f32>(p, load<f32>(p) + load<f32>(w, 4));
  }
}

/**
 * Sums the leaves each row reaches into `out` (`[nRows, nOut]` f32): per row and output the leaf weights are
 * added in float32 in tree order starting from 0, then the base value — onnxruntime's order, so the result is
 * bit-identical. `covered` (u8 per output) is 0 for outputs no leaf feeds, which stay 0. With only BRANCH_LEQ
 * nodes, walks are branch-free and last exactly the tree's depth (leaves point to themselves): rows go four at a
 * time through each tree, the last rows one at a time through four trees at once, so four independent walks
 * overlap; other modes walk one row through one tree at a time.
 */
export function forest(
  nodes: usize,
  leaves: usize,
  roots: usize,
  depths: usize,
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
  memory.fill(out, 0, (<usize>nRows * <usize>nOut) << 2);
  const rowBytes = <usize>nFeatures << 2;
  const outBytes = <usize>nOut << 2;
  let r = 0;
  if (allLeq) {
    for (; r + 4 <= nRows; r += 4) {
      const x0 = x + <usize>r * rowBytes;
      const x1 = x0 + rowBytes;
      const x2 = x1 + rowBytes;
      const x3 = x2 + rowBytes;
      const o0 = out + <usize>r * outBytes;
      for (let t = 0; t < nTrees; t++) {
        const root = nodes + (<usize>load<i32>(roots + (<usize>t << 2)) << 4);
        let n0 = root;
        let n1 = root;
        let n2 = root;
        let n3 = root;
        for (let d = load<i32>(depths + (<usize>t << 2)); d > 0; d--) {
          n0 = stepLeq(nodes, n0, x0);
          n1 = stepLeq(nodes, n1, x1);
          n2 = stepLeq(nodes, n2, x2);
          n3 = stepLeq(nodes, n3, x3);
        }
        addLeaf(nodes, leaves, weights, n0, o0);
        addLeaf(nodes, leaves, weights, n1, o0 + outBytes);
        addLeaf(nodes, leaves, weights, n2, o0 + 2 * outBytes);
        addLeaf(nodes, leaves, weights, n3, o0 + 3 * outBytes);
      }
    }
  }
  if (allLeq) {
    // The remaining rows one at a time, four trees at once (their leaves are then added in tree order).
    for (; r < nRows; r++) {
      const row = x + <usize>r * rowBytes;
      const o = out + <usize>r * outBytes;
      let t = 0;
      for (; t + 4 <= nTrees; t += 4) {
        const tr = roots + (<usize>t << 2);
        const td = depths + (<usize>t << 2);
        let n0 = nodes + (<usize>load<i32>(tr) << 4);
        let n1 = nodes + (<usize>load<i32>(tr, 4) << 4);
        let n2 = nodes + (<usize>load<i32>(tr, 8) << 4);
        let n3 = nodes + (<usize>load<i32>(tr, 12) << 4);
        const depth = max(max(load<i32>(td), load<i32>(td, 4)), max(load<i32>(td, 8), load<i32>(td, 12)));
        for (let d = depth; d > 0; d--) {
          n0 = stepLeq(nodes, n0, row);
          n1 = stepLeq(nodes, n1, row);
          n2 = stepLeq(nodes, n2, row);
          n3 = stepLeq(nodes, n3, row);
        }
        addLeaf(nodes, leaves, weights, n0, o);
        addLeaf(nodes, leaves, weights, n1, o);
        addLeaf(nodes, leaves, weights, n2, o);
        addLeaf(nodes, leaves, weights, n3, o);
      }
      for (; t < nTrees; t++) {
        let n = nodes + (<usize>load<i32>(roots + (<usize>t << 2)) << 4);
        for (let d = load<i32>(depths + (<usize>t << 2)); d > 0; d--) n = stepLeq(nodes, n, row);
        addLeaf(nodes, leaves, weights, n, o);
      }
    }
  }
  for (; r < nRows; r++) {
    const row = x + <usize>r * rowBytes;
    const o = out + <usize>r * outBytes;
    for (let t = 0; t < nTrees; t++) {
      let n = nodes + (<usize>load<i32>(roots + (<usize>t << 2)) << 4);
      let head = load<i32>(n);
      while ((head & LEAF_BIT) == 0) {
        const v = load<f32>(row + (<usize>(head & FEATURE_MASK) << 2));
        n = nodes + (<usize>load<i32>(n + (goesTrue(head, v, load<f32>(n, 4)) ? 8 : 12)) << 4);
        head = load<i32>(n);
      }
      addLeaf(nodes, leaves, weights, n, o);
    }
  }
  for (let i = 0; i < nRows; i++) {
    const o = out + <usize>i * outBytes;
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
  const m16 = m & ~15;
  const m4 = m & ~3;
  const rowB = <usize>m << 2;
  for (let i = 0; i < n; i++) {
    const ar = a + ((<usize>i * <usize>k) << 2);
    const or = out + ((<usize>i * <usize>m) << 2);
    let j = 0;
    // Sixteen columns at a time: four independent accumulator chains keep the adds pipelined.
    for (; j < m16; j += 16) {
      const bj = b + (<usize>j << 2);
      let c0 = bias ? v128.load(bias + (<usize>j << 2)) : f32x4.splat(0);
      let c1 = bias ? v128.load(bias + (<usize>j << 2), 16) : f32x4.splat(0);
      let c2 = bias ? v128.load(bias + (<usize>j << 2), 32) : f32x4.splat(0);
      let c3 = bias ? v128.load(bias + (<usize>j << 2), 48) : f32x4.splat(0);
      for (let k0 = 0; k0 < k; k0 += strideK) {
        const k1 = min(k, k0 + strideK);
        let s0 = f32x4.splat(0);
        let s1 = f32x4.splat(0);
        let s2 = f32x4.splat(0);
        let s3 = f32x4.splat(0);
        for (let p = k0; p < k1; p++) {
          const av = f32x4.splat(load<f32>(ar + (<usize>p << 2)));
          const bp = bj + <usize>p * rowB;
          s0 = f32x4.add(s0, f32x4.mul(av, v128.load(bp)));
          s1 = f32x4.add(s1, f32x4.mul(av, v128.load(bp, 16)));
          s2 = f32x4.add(s2, f32x4.mul(av, v128.load(bp, 32)));
          s3 = f32x4.add(s3, f32x4.mul(av, v128.load(bp, 48)));
        }
        c0 = f32x4.add(c0, s0);
        c1 = f32x4.add(c1, s1);
        c2 = f32x4.add(c2, s2);
        c3 = f32x4.add(c3, s3);
      }
      const o = or + (<usize>j << 2);
      v128.store(o, c0);
      v128.store(o, c1, 16);
      v128.store(o, c2, 32);
      v128.store(o, c3, 48);
    }
    for (; j < m4; j += 4) {
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
    for (; j < m; j++) {
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
