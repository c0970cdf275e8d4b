import { describe, expect, it } from 'vitest';
import {
  CONFORMAL_GRID,
  conformalQuantile,
  conformalTable,
  halfWidth,
  maxSupportedLevel,
} from '../../src/runtime/conformal.js';

describe('split-conformal quantiles', () => {
  const sorted = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);

  it('takes the ⌈(n+1)·level⌉-th smallest absolute residual', () => {
    // n = 9: level 0.8 → ⌈8⌉ = 8th → 8; level 0.5 → ⌈5⌉ = 5th → 5; level 0.75 → ⌈7.5⌉ = 8th → 8
    expect(conformalQuantile(sorted, 0.8)).toBe(8);
    expect(conformalQuantile(sorted, 0.5)).toBe(5);
    expect(conformalQuantile(sorted, 0.75)).toBe(8);
    // level 0.95 → ⌈9.5⌉ = 10 > n: no finite quantile can guarantee it
    expect(conformalQuantile(sorted, 0.95)).toBe(Number.POSITIVE_INFINITY);
    expect(maxSupportedLevel({ n: [9], quantiles: [[]] })).toBeCloseTo(0.9, 12);
  });

  it('builds a table per output from [window, output] forecasts, skipping missing actuals', () => {
    // 4 windows × 2 outputs; residuals output 0: 1, 2, 3, 4; output 1: 10, 20, NaN, 40
    const predicted = Float64Array.from([0, 0, 0, 0, 0, 0, 0, 0]);
    const actual = Float64Array.from([1, -10, -2, 20, 3, Number.NaN, 4, -40]);
    const table = conformalTable(predicted, actual, 2, [0.5, 0.75]);
    expect(table.n).toEqual([4, 3]);
    // output 0, n = 4: 0.5 → ⌈2.5⌉ = 3rd → 3; 0.75 → ⌈3.75⌉ = 4th → 4
    expect(table.quantiles[0]).toEqual([3, 4]);
    // output 1, n = 3: 0.5 → ⌈2⌉ = 2nd → 20; 0.75 → ⌈3⌉ = 3rd → 40
    expect(table.quantiles[1]).toEqual([20, 40]);
  });

  it('interpolates between grid levels', () => {
    const table = { n: [100], quantiles: [[1, 3]] };
    expect(halfWidth(table, [0.8, 0.9], 0, 0.85)).toBeCloseTo(2, 12);
    expect(halfWidth(table, [0.8, 0.9], 0, 0.8)).toBe(1);
    expect(halfWidth(table, [0.8, 0.9], 0, 0.5)).toBe(1);
  });

  it('stores 21 levels from 0.05 to 0.99', () => {
    expect(CONFORMAL_GRID).toHaveLength(21);
    expect(CONFORMAL_GRID.slice(0, 3)).toEqual([0.05, 0.1, 0.15]);
    expect(CONFORMAL_GRID.slice(-4)).toEqual([0.9, 0.95, 0.975, 0.99]);
  });
});
