/** Point metrics against hand-computed values. */
import { describe, expect, it } from 'vitest';
import { DataError } from '../../src/runtime/errors.js';
import {
  computeMetrics,
  corr,
  METRIC_DEFINITIONS,
  mae,
  nbias,
  rmse,
  smape,
  wmape,
} from '../../src/runtime/metrics.js';

// y = [1, 2, 3, 4], ŷ = [2, 2, 2, 5]
// y − ŷ = [−1, 0, 1, −1]; |y − ŷ| = [1, 0, 1, 1] (Σ = 3); (y − ŷ)² = [1, 0, 1, 1] (Σ = 3)
// Σ(ŷ − y) = 1 + 0 − 1 + 1 = 1; Σ|y| = 10
const y = [1, 2, 3, 4];
const p = [2, 2, 2, 5];

describe('metrics on a hand-computed vector', () => {
  it('mae = 3/4', () => expect(mae(y, p)).toBe(0.75));

  it('rmse = sqrt(3/4)', () => expect(rmse(y, p)).toBeCloseTo(Math.sqrt(0.75), 15));

  it('nbias = Σ(ŷ − y)/Σ|y| = 1/10 (over-forecast is positive)', () => {
    expect(nbias(y, p)).toBeCloseTo(0.1, 15);
    // swapping roles turns it into an under-forecast: Σ(y − ŷ)/Σ|ŷ| = −1/11
    expect(nbias(p, y)).toBeCloseTo(-1 / 11, 15);
  });

  it('wmape = 100·3/10 = 30 (percent)', () => expect(wmape(y, p)).toBeCloseTo(30, 12));

  it('smape = 100·mean(2/3, 0, 2/5, 2/9) = 100·29/90 (percent)', () => {
    // 2|e|/(|y|+|ŷ|): 2·1/(1+2) = 2/3, 0, 2·1/(3+2) = 2/5, 2·1/(4+5) = 2/9
    // Σ = (30 + 18 + 10)/45 = 58/45; mean = 58/180 = 29/90
    expect(smape(y, p)).toBeCloseTo((100 * 29) / 90, 12);
  });

  it('corr = √15/5', () => {
    // ȳ = 2.5, mean ŷ = 2.75; dy = [−1.5, −0.5, 0.5, 1.5], dŷ = [−0.75, −0.75, −0.75, 2.25]
    // Σ dy·dŷ = 1.125 + 0.375 − 0.375 + 3.375 = 4.5; Σ dy² = 5; Σ dŷ² = 3·0.5625 + 5.0625 = 6.75
    // r = 4.5 / sqrt(5 · 6.75) = 4.5 / sqrt(33.75) = 3/√15 = √15/5
    expect(corr(y, p)).toBeCloseTo(Math.sqrt(15) / 5, 14);
  });

  it('computeMetrics gathers them all, with n', () => {
    const m = computeMetrics(Float64Array.from(y), Float64Array.from(p));
    expect(m.n).toBe(4);
    expect(m.mae).toBe(0.75);
    expect(m.rmse).toBeCloseTo(Math.sqrt(0.75), 15);
    expect(m.corr).toBeCloseTo(Math.sqrt(15) / 5, 14);
    expect(m.nbias).toBeCloseTo(0.1, 15);
    expect(m.wmape).toBeCloseTo(30, 12);
    expect(m.smape).toBeCloseTo((100 * 29) / 90, 12);
    expect(Object.keys(METRIC_DEFINITIONS).sort()).toEqual(
      Object.keys(m)
        .filter((k) => k !== 'n')
        .sort(),
    );
  });
});

describe('non-finite pairs', () => {
  it('are skipped when either side is NaN or ±Infinity', () => {
    const ya = [Number.NaN, 1, 2, 5, 3, Number.NaN, 4];
    const pa = [3, 2, 2, Number.POSITIVE_INFINITY, 2, Number.NaN, 5];
    expect(computeMetrics(ya, pa)).toEqual(computeMetrics(y, p));
    expect(computeMetrics(ya, pa).n).toBe(4);
  });

  it('leave NaN metrics and n = 0 when nothing is left', () => {
    const m = computeMetrics([Number.NaN, 1], [1, Number.NaN]);
    expect(m.n).toBe(0);
    for (const v of [m.mae, m.rmse, m.corr, m.nbias, m.wmape, m.smape]) expect(v).toBeNaN();
    expect(computeMetrics([], []).n).toBe(0);
  });
});

describe('edge cases', () => {
  it('corr is NaN when either side is constant, or with one pair', () => {
    expect(corr(y, [3, 3, 3, 3])).toBeNaN();
    expect(corr([7, 7, 7], [1, 2, 3])).toBeNaN();
    expect(corr([1], [2])).toBeNaN();
  });

  it('corr is exactly ±1 on linear data', () => {
    expect(corr([1, 2, 3], [10, 20, 30])).toBe(1);
    expect(corr([1, 2, 3], [3, 2, 1])).toBe(-1);
  });

  it('smape counts 0/0 as a perfect forecast', () => {
    // pairs (0, 0) → 0 and (2, 1) → 2·1/3; mean = 1/3
    expect(smape([0, 2], [0, 1])).toBeCloseTo(100 / 3, 12);
    expect(smape([0, 0], [0, 0])).toBe(0);
  });

  it('wmape and nbias are NaN when Σ|y| = 0', () => {
    expect(wmape([0, 0], [1, 2])).toBeNaN();
    expect(nbias([0, 0], [1, 2])).toBeNaN();
  });

  it('perfect forecasts score zero (corr 1)', () => {
    const m = computeMetrics([1, 2, 3], [1, 2, 3]);
    expect([m.mae, m.rmse, m.nbias, m.wmape, m.smape]).toEqual([0, 0, 0, 0, 0]);
    expect(m.corr).toBe(1);
  });

  it('throws a DataError when lengths differ', () => {
    expect(() => mae([1, 2], [1])).toThrow(DataError);
    expect(() => computeMetrics([1], [1, 2])).toThrow(/differ in length: 1 vs 2/);
  });
});
