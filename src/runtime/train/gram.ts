/** Streaming normal equations: accumulate XᵀX and XᵀY block by block without holding X. */

export class GramAccumulator {
  readonly nFeatures: number;
  readonly nOutputs: number;
  /** Upper triangle of XᵀX, row-major [F, F]. */
  readonly xtx: Float64Array;
  /** XᵀY, row-major [F, O]. */
  readonly xty: Float64Array;
  readonly sumX: Float64Array;
  readonly sumY: Float64Array;
  n = 0;
  private scratch = new Float64Array(0);
  private scratchY = new Float64Array(0);

  constructor(nFeatures: number, nOutputs: number) {
    this.nFeatures = nFeatures;
    this.nOutputs = nOutputs;
    this.xtx = new Float64Array(nFeatures * nFeatures);
    this.xty = new Float64Array(nFeatures * nOutputs);
    this.sumX = new Float64Array(nFeatures);
    this.sumY = new Float64Array(nOutputs);
  }

  /** Add `rows` rows of X (row-major [rows, F]) and Y ([rows, O]). */
  add(x: Float64Array, y: Float64Array, rows: number): void {
    const F = this.nFeatures;
    const O = this.nOutputs;
    if (this.scratch.length < rows * F) this.scratch = new Float64Array(rows * F);
    if (this.scratchY.length < rows * O) this.scratchY = new Float64Array(rows * O);
    // Column-major copy so every dot product below walks contiguous memory.
    const xt = this.scratch;
    for (let r = 0; r < rows; r++) {
      const row = r * F;
      for (let i = 0; i < F; i++) {
        const v = x[row + i]!;
        xt[i * rows + r] = v;
        this.sumX[i]! += v;
      }
      for (let o = 0; o < O; o++) this.sumY[o]! += y[r * O + o]!;
    }
    // Y column-major too, for the XᵀY dot products.
    const yt = this.scratchY;
    for (let r = 0; r < rows; r++) for (let o = 0; o < O; o++) yt[o * rows + r] = y[r * O + o]!;
    const R4 = rows - (rows % 4);
    for (let i = 0; i < F; i++) {
      const ci = i * rows;
      let j = i;
      // Columns j and j + 1 in one pass over column i: each load of it feeds two dot products. Every entry keeps
      // the sum order of one product at a time (four partial sums, then the tail), so XᵀX is bit for bit the same.
      for (; j + 1 < F; j += 2) {
        const cj = j * rows;
        const ck = cj + rows;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        let t0 = 0;
        let t1 = 0;
        let t2 = 0;
        let t3 = 0;
        let r = 0;
        for (; r < R4; r += 4) {
          const a0 = xt[ci + r]!;
          const a1 = xt[ci + r + 1]!;
          const a2 = xt[ci + r + 2]!;
          const a3 = xt[ci + r + 3]!;
          s0 += a0 * xt[cj + r]!;
          s1 += a1 * xt[cj + r + 1]!;
          s2 += a2 * xt[cj + r + 2]!;
          s3 += a3 * xt[cj + r + 3]!;
          t0 += a0 * xt[ck + r]!;
          t1 += a1 * xt[ck + r + 1]!;
          t2 += a2 * xt[ck + r + 2]!;
          t3 += a3 * xt[ck + r + 3]!;
        }
        for (; r < rows; r++) {
          s0 += xt[ci + r]! * xt[cj + r]!;
          t0 += xt[ci + r]! * xt[ck + r]!;
        }
        this.xtx[i * F + j]! += s0 + s1 + s2 + s3;
        this.xtx[i * F + j + 1]! += t0 + t1 + t2 + t3;
      }
      if (j < F) this.xtx[i * F + j]! += dot4(xt, ci, j * rows, rows);
      for (let o = 0; o < O; o++) {
        const co = o * rows;
        let s = 0;
        for (let r = 0; r < rows; r++) s += xt[ci + r]! * yt[co + r]!;
        this.xty[i * O + o]! += s;
      }
    }
    this.n += rows;
  }
}

/** Σ a[ci + r] · a[cj + r] over `rows`, as four partial sums (r mod 4) and the tail added to the first. */
function dot4(a: Float64Array, ci: number, cj: number, rows: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let r = 0;
  for (; r + 3 < rows; r += 4) {
    s0 += a[ci + r]! * a[cj + r]!;
    s1 += a[ci + r + 1]! * a[cj + r + 1]!;
    s2 += a[ci + r + 2]! * a[cj + r + 2]!;
    s3 += a[ci + r + 3]! * a[cj + r + 3]!;
  }
  for (; r < rows; r++) s0 += a[ci + r]! * a[cj + r]!;
  return s0 + s1 + s2 + s3;
}
