/** The MLP's matrix kernel: every output is `init[j]` plus its products in order of `t`, whatever the shape. */
import { describe, expect, it } from 'vitest';
import { blockedProduct } from '../../src/runtime/models/mlp.js';
import { mulberry32 } from '../../src/runtime/synthetic.js';

describe('blockedProduct', () => {
  // Rows not a multiple of 3 and outputs not a multiple of 4: the tails of the blocked loops are covered.
  it.each([
    [7, 5, 6, 'row-major, with init'],
    [8, 9, 11, 'transposed read, no init'],
    [2, 3, 3, 'fewer rows than one block'],
  ] as const)('%i × %i · %i (%s) is the in-order sum bit for bit', (rows, inner, J, how) => {
    const rand = mulberry32(rows * 100 + J);
    const transposed = how.startsWith('transposed');
    const a = Float64Array.from({ length: rows * inner }, () => rand() * 2 - 1);
    const b = Float64Array.from({ length: inner * J }, () => rand() * 2 - 1);
    const init = how.includes('with init') ? Float64Array.from({ length: J }, () => rand()) : undefined;
    const [rowStride, innerStride] = transposed ? [1, rows] : [inner, 1];
    const out = new Float64Array(rows * J);
    blockedProduct(a, rowStride, innerStride, rows, inner, b, J, init, out);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < J; j++) {
        let s = init ? init[j]! : 0;
        for (let t = 0; t < inner; t++) s += a[i * rowStride + t * innerStride]! * b[t * J + j]!;
        expect(out[i * J + j], `out[${i}, ${j}]`).toBe(s);
      }
    }
  });
});
