/** Quantile binning: float32 edges, at most maxBins bins, a missing bin, and `x <= edge` agreeing with the bins. */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/runtime/synthetic.js';
import { binOf, binRows, fitBinMapper, MISSING_BIN } from '../../../src/runtime/train/gbdt/binning.js';

describe('fitBinMapper / binRows', () => {
  const rand = mulberry32(5);
  const n = 3000;
  const F = 5;
  const x = new Float64Array(n * F);
  for (let r = 0; r < n; r++) {
    x[r * F] = rand() * 1e6 - 5e5; // continuous, wide range
    x[r * F + 1] = Math.floor(rand() * 7); // 7 distinct values
    x[r * F + 2] = rand() < 0.2 ? Number.NaN : rand(); // 20% missing
    x[r * F + 3] = 42; // constant
    x[r * F + 4] = [0, -0, 1e-40, -1e-40, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.1][r % 7]!;
  }
  const mapper = fitBinMapper(x, n, F, 32, 1);
  const m = binRows(mapper, x, n);

  it('places at most maxBins increasing float32 edges per feature', () => {
    for (let f = 0; f < F; f++) {
      const e = mapper.edges[f]!;
      expect(mapper.nBins[f]).toBe(e.length + 1);
      expect(mapper.nBins[f]).toBeLessThanOrEqual(32);
      for (let i = 1; i < e.length; i++) expect(e[i]!).toBeGreaterThan(e[i - 1]!);
    }
    expect(mapper.nBins[0]).toBe(32);
    expect(mapper.nBins[1]).toBe(7);
    expect(mapper.nBins[3]).toBe(1);
  });

  it('gives quantile bins of about equal counts on continuous data', () => {
    const counts = new Array<number>(32).fill(0);
    for (let r = 0; r < n; r++) counts[m.bins[r * m.stride]!]!++;
    expect(Math.min(...counts)).toBeGreaterThan((n / 32) * 0.6);
    expect(Math.max(...counts)).toBeLessThan((n / 32) * 1.4);
  });

  it('bins every value so that bin b holds edges[b-1] < float32(x) <= edges[b], NaN in the missing bin', () => {
    for (let r = 0; r < n; r++) {
      for (let f = 0; f < F; f++) {
        const v = Math.fround(x[r * F + f]!);
        const b = m.bins[r * m.stride + f]!;
        if (Number.isNaN(v)) {
          expect(b).toBe(MISSING_BIN);
          continue;
        }
        const e = mapper.edges[f]!;
        expect(b).toBe(binOf(e, v));
        if (b < e.length) expect(v <= e[b]!).toBe(true);
        if (b > 0) expect(v > e[b - 1]!).toBe(true);
      }
    }
  });

  it('treats -0 and +0 as one value and keeps infinities in the outer bins', () => {
    const e = mapper.edges[4]!;
    const bin = (v: number) => binOf(e, Math.fround(v));
    expect(bin(-0)).toBe(bin(0));
    expect(bin(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(bin(Number.POSITIVE_INFINITY)).toBe(mapper.nBins[4]! - 1);
    expect(bin(1e-40)).toBeGreaterThan(bin(0));
    expect(bin(-1e-40)).toBeLessThan(bin(0));
  });

  it('pads rows to a multiple of 4 bytes', () => {
    expect(m.stride).toBe(8);
    expect(m.bins.length).toBe(n * 8);
  });
});
