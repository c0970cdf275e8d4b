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
    for (let i = 0; i < F; i++) {
      const ci = i * rows;
      for (let j = i; j < F; j++) {
        const cj = j * rows;
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        let r = 0;
        for (; r + 3 < rows; r += 4) {
          s0 += xt[ci + r]! * xt[cj + r]!;
          s1 += xt[ci + r + 1]! * xt[cj + r + 1]!;
          s2 += xt[ci + r + 2]! * xt[cj + r + 2]!;
          s3 += xt[ci + r + 3]! * xt[cj + r + 3]!;
        }
        for (; r < rows; r++) s0 += xt[ci + r]! * xt[cj + r]!;
        this.xtx[i * F + j]! += s0 + s1 + s2 + s3;
      }
      for (let o = 0; o < O; o++) {
        let s = 0;
        for (let r = 0; r < rows; r++) s += xt[ci + r]! * y[r * O + o]!;
        this.xty[i * O + o]! += s;
      }
    }
    this.n += rows;
  }
}
