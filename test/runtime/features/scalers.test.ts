/** Fitted scalers against hand-computed values, numpy's percentile rule and a JSON round trip. */
import { describe, expect, it } from 'vitest';
import {
  fitScaler,
  inverseTransform,
  percentileSorted,
  ScalerParamsSchema,
  transform,
} from '../../../src/runtime/features/scalers.js';

const NaN_ = Number.NaN;

describe('standard', () => {
  it('uses the mean and the population std, ignoring NaN', () => {
    // finite values 1, 2, 3, 6: mean 3; deviations −2, −1, 0, 3; squares 4, 1, 0, 9 → 14/4 = 3.5
    const p = fitScaler('standard', Float64Array.from([1, NaN_, 2, 3, 6]));
    expect(p).toEqual({ kind: 'standard', center: 3, scale: Math.sqrt(3.5) });
    expect(transform(p, 6)).toBeCloseTo(3 / Math.sqrt(3.5), 15);
  });

  it('maps a constant column to 0 (std 0 → 1)', () => {
    const p = fitScaler('standard', [5, 5, 5]);
    expect(p).toEqual({ kind: 'standard', center: 5, scale: 1 });
    expect(transform(p, 5)).toBe(0);
  });
});

describe('robust (median, IQR by linear interpolation like numpy.percentile)', () => {
  it('odd n: [7, 1, 3, 9, 5]', () => {
    // sorted 1, 3, 5, 7, 9; rank h = (n − 1)·q = 4q: q25 → h 1 → 3; q50 → h 2 → 5; q75 → h 3 → 7
    // numpy.percentile([1, 3, 5, 7, 9], [25, 50, 75]) = [3, 5, 7]; IQR = 4
    expect(fitScaler('robust', [7, 1, 3, 9, 5])).toEqual({ kind: 'robust', center: 5, scale: 4 });
  });

  it('even n: [4, 1, NaN, 2, 10]', () => {
    // finite sorted 1, 2, 4, 10; h = 3q
    // q25: h 0.75 → 1 + 0.75·(2 − 1) = 1.75; q50: h 1.5 → 2 + 0.5·(4 − 2) = 3;
    // q75: h 2.25 → 4 + 0.25·(10 − 4) = 5.5. numpy gives [1.75, 3, 5.5]; IQR = 3.75
    expect(fitScaler('robust', [4, 1, NaN_, 2, 10])).toEqual({ kind: 'robust', center: 3, scale: 3.75 });
  });

  it('percentileSorted hits the ends and single values', () => {
    const s = Float64Array.from([1, 2, 4, 10]);
    expect(percentileSorted(s, 0)).toBe(1);
    expect(percentileSorted(s, 1)).toBe(10);
    expect(percentileSorted(Float64Array.from([42]), 0.75)).toBe(42);
  });

  it('IQR 0 → 1', () => {
    // sorted 1, 1, 1, 1, 9: q25 (h 1) = 1, q50 (h 2) = 1, q75 (h 3) = 1
    expect(fitScaler('robust', [1, 9, 1, 1, 1])).toEqual({ kind: 'robust', center: 1, scale: 1 });
  });
});

describe('minmax', () => {
  it('maps the data to [0, 1], ignoring NaN and ±Infinity', () => {
    const p = fitScaler('minmax', [2, NaN_, 10, Number.POSITIVE_INFINITY, 4]);
    expect(p).toEqual({ kind: 'minmax', center: 2, scale: 8 });
    expect(Array.from(transform(p, [2, 4, 10]))).toEqual([0, 0.25, 1]);
  });

  it('range 0 → 1', () => {
    expect(fitScaler('minmax', [3, 3])).toEqual({ kind: 'minmax', center: 3, scale: 1 });
  });
});

describe('none and degenerate input', () => {
  it('none is the identity', () => {
    const p = fitScaler('none', [100, 200]);
    expect(p).toEqual({ kind: 'none', center: 0, scale: 1 });
    expect(transform(p, 123.5)).toBe(123.5);
  });

  it('a column with no finite value fits to center 0, scale 1', () => {
    for (const kind of ['standard', 'robust', 'minmax'] as const) {
      expect(fitScaler(kind, [NaN_, NaN_])).toEqual({ kind, center: 0, scale: 1 });
      expect(fitScaler(kind, [])).toEqual({ kind, center: 0, scale: 1 });
    }
  });
});

describe('transform and inverse', () => {
  const p = fitScaler('standard', [0.1, 0.2, 0.7, 1.9]);

  it('inverse undoes transform, scalar and array, NaN passing through', () => {
    const x = Float64Array.from([-3, 0.1, 2.5, NaN_]);
    const back = inverseTransform(p, transform(p, x));
    for (let i = 0; i < 3; i++) expect(back[i]).toBeCloseTo(x[i]!, 14);
    expect(back[3]).toBeNaN();
    expect(inverseTransform(p, transform(p, 7))).toBeCloseTo(7, 14);
  });

  it('writes in place when out is the input', () => {
    const x = Float64Array.from([1, 2]);
    const r = transform(p, x, x);
    expect(r).toBe(x);
    expect(x[0]).toBe((1 - p.center) / p.scale);
  });
});

describe('JSON round trip', () => {
  it('is exact for every kind', () => {
    const data = [0.1, 0.2 + 0.1, 1 / 3, 7e-12, 123456.789, Math.PI];
    for (const kind of ['standard', 'robust', 'minmax', 'none'] as const) {
      const p = fitScaler(kind, data);
      const back = ScalerParamsSchema.parse(JSON.parse(JSON.stringify(p)));
      expect(back).toStrictEqual(p);
      expect(Object.is(back.center, p.center) && Object.is(back.scale, p.scale)).toBe(true);
      expect(transform(back, 0.3)).toBe(transform(p, 0.3));
    }
  });

  it('rejects unusable params', () => {
    expect(ScalerParamsSchema.safeParse({ kind: 'standard', center: 0, scale: 0 }).success).toBe(false);
    expect(ScalerParamsSchema.safeParse({ kind: 'standard', center: 0, scale: -1 }).success).toBe(false);
    expect(ScalerParamsSchema.safeParse({ kind: 'zscore', center: 0, scale: 1 }).success).toBe(false);
    // JSON writes NaN as null
    expect(
      ScalerParamsSchema.safeParse(JSON.parse('{"kind":"minmax","center":null,"scale":1}')).success,
    ).toBe(false);
  });
});
