/** The lean engine's hot loops as a contract (WASM or plain JS, same arithmetic in the same order). */

/**
 * A tree ensemble packed for traversal. Node `i` is words `[4i, 4i + 4)` of `nodes`: head (feature | mode << 24
 * | missing-goes-true << 27, plus {@link LEAF_BIT} on leaves), threshold (float32 bits), true child, false child.
 * A leaf reads feature 0 and points to itself on both sides, so walking a tree's depth from its root always ends
 * on the leaf a row reaches (the branch-free batch loop); `leaves` words `[2i, 2i + 2)` hold a leaf's first
 * weight and weight count. Weight `j` is words `[2j, 2j + 2)` of `weights`: target, value (float32 bits).
 */
export interface PackedForest {
  nodes: Int32Array;
  leaves: Int32Array;
  weights: Int32Array;
  /** Root node of each tree, in onnxruntime's tree order. */
  roots: Int32Array;
  /** Each tree's depth (edges on its longest path). */
  depths: Int32Array;
  base: Float32Array;
  /** 1 for outputs some leaf adds to; the others stay 0 (onnxruntime ignores their base value). */
  covered: Uint8Array;
  nOut: number;
  /** Every branch is `BRANCH_LEQ` (the fast loop). */
  allLeq: boolean;
}

/** Head bits: feature index, branch mode, missing-goes-true flag. */
export const FEATURE_MASK = 0xffffff;
export const MODE_SHIFT = 24;
export const MISSING_BIT = 1 << 27;
export const LEAF_BIT = 1 << 30;

export interface ForestRunner {
  /** `[nRows, nOut]` sums for `x: [nRows, nFeatures]` (every feature index below `nFeatures`, checked by the caller). */
  run(x: Float32Array, nRows: number, nFeatures: number): Float32Array;
}

export interface MatmulRunner {
  /** `bias + a · B` for `a: [n, k]` and the prepared constants: `[n, m]`. */
  run(a: Float32Array, n: number): Float32Array;
}

/**
 * The K block of onnxruntime-web's SGEMM (MLAS): it sums each run of 256 inner-dimension products in float32
 * and adds the block sums to the output, whatever the shapes (measured against onnxruntime-web 1.30; the
 * parity tests cover k above and below it).
 */
export const MLAS_STRIDE_K = 256;

/** Prepares constants once per model (copied into WASM memory by the WASM kernels). */
export interface LeanKernels {
  readonly kind: 'wasm' | 'js';
  forest(forest: PackedForest): Promise<ForestRunner>;
  /**
   * @param b the constant right-hand side, `[k, m]` row-major
   * @param bias added first (onnxruntime's MatMul+Add fusion, Gemm's C), `[m]`
   */
  matmul(b: Float32Array, k: number, m: number, bias: Float32Array | undefined): Promise<MatmulRunner>;
}

function goesTrue(head: number, x: number, th: number): boolean {
  const mode = (head >> MODE_SHIFT) & 7;
  const c =
    mode === 0
      ? x <= th
      : mode === 1
        ? x < th
        : mode === 2
          ? x >= th
          : mode === 3
            ? x > th
            : mode === 4
              ? x === th
              : x !== th;
  return c || ((head & MISSING_BIT) !== 0 && Number.isNaN(x));
}

/** Plain-JS forest: per row and output, float32 sums in tree order from 0, then the base value. */
function jsForest(f: PackedForest): ForestRunner {
  const { nodes, leaves, roots, base, covered, nOut } = f;
  const thresholds = new Float32Array(nodes.buffer, nodes.byteOffset, nodes.length);
  const targets = f.weights;
  const values = new Float32Array(f.weights.buffer, f.weights.byteOffset, f.weights.length);
  return {
    run(x, nRows, nFeatures) {
      const out = new Float32Array(nRows * nOut);
      for (let r = 0; r < nRows; r++) {
        const row = r * nFeatures;
        const o = r * nOut;
        for (let t = 0; t < roots.length; t++) {
          let n = roots[t]!;
          let head = nodes[4 * n]!;
          while ((head & LEAF_BIT) === 0) {
            const v = x[row + (head & FEATURE_MASK)]!;
            n = nodes[4 * n + (goesTrue(head, v, thresholds[4 * n + 1]!) ? 2 : 3)]!;
            head = nodes[4 * n]!;
          }
          const end = (leaves[2 * n]! + leaves[2 * n + 1]!) * 2;
          // Float32Array stores round each sum to float32: a float32 add.
          for (let w = leaves[2 * n]! * 2; w < end; w += 2) out[o + targets[w]!]! += values[w + 1]!;
        }
        for (let j = 0; j < nOut; j++) out[o + j] = covered[j] ? out[o + j]! + base[j]! : 0;
      }
      return out;
    },
  };
}

/**
 * `bias + a · b` for `a: [n, k]`, `b: [k, m]` row-major, in MLAS's float32 order (see {@link MLAS_STRIDE_K}): what
 * onnxruntime-web's MatMul computes, bit for bit. Trainers call it to compute in-graph features exactly as served.
 */
export function mlasProduct(
  a: ArrayLike<number>,
  n: number,
  k: number,
  b: ArrayLike<number>,
  m: number,
  bias: ArrayLike<number> | undefined,
  out: Float32Array | Float64Array = new Float32Array(n * m),
): Float32Array | Float64Array {
  const strideK = MLAS_STRIDE_K;
  const f = Math.fround;
  for (let i = 0; i < n; i++) {
    const ar = i * k;
    for (let j = 0; j < m; j++) {
      let c = bias ? f(bias[j]!) : 0;
      for (let k0 = 0; k0 < k; k0 += strideK) {
        const k1 = Math.min(k, k0 + strideK);
        let acc = 0;
        for (let p = k0; p < k1; p++) acc = f(acc + f(f(a[ar + p]!) * f(b[p * m + j]!)));
        c = f(c + acc);
      }
      out[i * m + j] = c;
    }
  }
  return out;
}

/** Plain-JS product in MLAS's float32 order; the WASM kernel rounds identically. */
function jsMatmul(b: Float32Array, k: number, m: number, bias: Float32Array | undefined): MatmulRunner {
  return { run: (a, n) => mlasProduct(a, n, k, b, m, bias) as Float32Array };
}

/** The plain-JS kernels: what runs before (or without) the WASM module. */
export const jsLeanKernels: LeanKernels = {
  kind: 'js',
  forest: async (f) => jsForest(f),
  matmul: async (b, k, m, bias) => jsMatmul(b, k, m, bias),
};
