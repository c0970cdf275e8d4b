/** An Int32 list that grows by doubling: row numbers without a JS array's per-element cost. */
export class GrowableI32 {
  private data = new Int32Array(16);
  length = 0;

  push(x: number): void {
    if (this.length === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = x;
  }

  /** The values pushed so far (a view, not a copy). */
  view(): Int32Array {
    return this.data.subarray(0, this.length);
  }
}
