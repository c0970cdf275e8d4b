/** detectDrift: Evidently's default test per column, thresholds, NaN/inf, constant and missing columns. */
import { describe, expect, it } from 'vitest';
import {
  DataError,
  DriftSummarySchema,
  detectDrift,
  jensenShannon,
  ks2samp,
  wassersteinDistance,
} from '../../../src/runtime/index.js';
import { sample } from './fixtures.js';

const normal = (seed: number, n: number, loc = 0, scale = 1) =>
  sample({ gen: { kind: 'normalish', seed, n, loc, scale } });
const codes = (seed: number, n: number, levels: number, loc = 0) =>
  sample({ gen: { kind: 'discrete', seed, n, loc, levels } });
const fixedNow = () => new Date('2024-06-01T00:00:00Z');

describe('default method selection (Evidently _get_default_stattest)', () => {
  it('reference ≤ 1000 rows: KS for > 5 values, chi-square for 3–5, z-test for ≤ 2', () => {
    const s = detectDrift(
      { num: normal(1, 800), five: codes(2, 800, 5), two: codes(3, 800, 2) },
      { num: normal(4, 500), five: codes(5, 500, 5), two: codes(6, 500, 2) },
      { now: fixedNow },
    );
    expect(s.columns.num!.method).toBe('ks');
    expect(s.columns.five!.method).toBe('chisquare');
    expect(s.columns.two!.method).toBe('z');
    expect(s.columns.num!.kind).toBe('numerical');
    expect(s.columns.five!.kind).toBe('categorical');
    expect(s.columns.num!.threshold).toBe(0.05);
    expect(s.columns.num!.score).toBe(ks2samp(normal(1, 800), normal(4, 500)).pvalue);
    expect(DriftSummarySchema.parse(s)).toEqual(s);
    expect(s.timestamp).toBe('2024-06-01T00:00:00.000Z');
    expect(s.report_path).toBeNull();
  });

  it('reference > 1000 rows: Wasserstein normed by the reference std, Jensen–Shannon for ≤ 5 values', () => {
    const ref = normal(7, 3000, 10, 2);
    const cur = normal(8, 2000, 10.5, 2);
    const s = detectDrift({ num: ref, few: codes(9, 3000, 4) }, { num: cur, few: codes(10, 2000, 4) });
    expect(s.columns.num!.method).toBe('wasserstein');
    expect(s.columns.num!.threshold).toBe(0.1);
    let mean = 0;
    for (const x of ref) mean += x;
    mean /= ref.length;
    let ss = 0;
    for (const x of ref) ss += (x - mean) ** 2;
    const std = Math.sqrt(ss / ref.length);
    expect(s.columns.num!.score).toBeCloseTo(wassersteinDistance(ref, cur) / std, 12);
    expect(s.columns.num!.drifted).toBe(true);
    expect(s.columns.few!.method).toBe('jensenshannon');
    expect(s.columns.few!.drifted).toBe(false);
  });

  it('the unique count is over reference ∪ current (5 → chi-square, 6 → KS)', () => {
    const ref = codes(11, 300, 5);
    expect(detectDrift({ x: ref }, { x: codes(12, 300, 5) }).columns.x!.method).toBe('chisquare');
    expect(detectDrift({ x: ref }, { x: codes(13, 300, 6) }).columns.x!.method).toBe('ks');
  });

  it('declared categorical columns take chi-square / z up to 1000 rows and Jensen–Shannon above', () => {
    const opts = { categorical: ['c'] };
    expect(detectDrift({ c: codes(14, 500, 12) }, { c: codes(15, 500, 12) }, opts).columns.c!.method).toBe(
      'chisquare',
    );
    expect(detectDrift({ c: codes(16, 1001, 12) }, { c: codes(17, 500, 12) }, opts).columns.c!.method).toBe(
      'jensenshannon',
    );
  });
});

describe('verdicts and thresholds', () => {
  it('KS drifts at p ≤ threshold; a custom threshold applies to every column', () => {
    const ref = Float64Array.from([1, 2, 3, 4, 5, 6]);
    const cur = Float64Array.from([4, 5, 6, 7, 8, 9]);
    const { pvalue } = ks2samp(ref, cur);
    expect(detectDrift({ x: ref }, { x: cur }, { threshold: pvalue }).columns.x!.drifted).toBe(true);
    expect(detectDrift({ x: ref }, { x: cur }, { threshold: pvalue * 0.999 }).columns.x!.drifted).toBe(false);
  });

  it('distances drift at score ≥ threshold; a forced method is used for all columns', () => {
    const ref = normal(20, 400);
    const cur = normal(21, 400, 0.5);
    const s = detectDrift({ a: ref, b: ref }, { a: cur, b: ref }, { method: 'jensenshannon' });
    expect(s.columns.a!.method).toBe('jensenshannon');
    expect(s.columns.a!.drifted).toBe(true);
    expect(s.columns.b!.score).toBe(0);
    expect(s.columns.b!.drifted).toBe(false);
    const again = detectDrift(
      { a: ref },
      { a: cur },
      { method: 'jensenshannon', threshold: s.columns.a!.score },
    );
    expect(again.columns.a!.drifted).toBe(true);
    for (const method of ['psi', 'kl', 'wasserstein', 'chisquare', 'z', 'ks'] as const) {
      const r = detectDrift({ a: ref }, { a: cur }, { method }).columns.a!;
      expect(r.method).toBe(method);
      expect(Number.isFinite(r.score)).toBe(true);
    }
  });

  it('dataset drift: share of drifted columns ≥ driftShare', () => {
    const ref = { a: normal(30, 500), b: normal(31, 500), c: normal(32, 500), d: normal(33, 500) };
    const cur = { a: normal(34, 500, 1), b: normal(35, 500, 1), c: normal(36, 500), d: normal(37, 500) };
    const s = detectDrift(ref, cur);
    expect(s.n_drifted).toBe(2);
    expect(s.total).toBe(4);
    expect(s.dataset_drift_score).toBe(0.5);
    expect(s.drift_detected).toBe(true);
    expect(s.dataset_drift).toBe(true);
    expect(detectDrift(ref, cur, { driftShare: 0.75 }).dataset_drift).toBe(false);
    expect(s.feature_drift).toEqual(
      Object.fromEntries(Object.entries(s.columns).map(([k, v]) => [k, v.score])),
    );
  });
});

describe('data handling', () => {
  it('drops NaN and ±inf before testing', () => {
    const ref = normal(40, 300);
    const dirty = Float64Array.from([...ref, Number.NaN, Infinity, -Infinity]);
    const clean = detectDrift({ x: ref }, { x: normal(41, 200) });
    const s = detectDrift({ x: dirty }, { x: Float64Array.from([...normal(41, 200), Number.NaN]) });
    expect(s.columns.x!.n_reference).toBe(300);
    expect(s.columns.x!.n_current).toBe(200);
    expect(s.columns.x!.score).toBe(clean.columns.x!.score);
  });

  it('constant columns: same value → no drift (z-test p = 1); different values → drift', () => {
    const seven = new Float64Array(50).fill(7);
    const eight = new Float64Array(40).fill(8);
    const same = detectDrift({ x: seven }, { x: seven.subarray(0, 30) });
    expect(same.columns.x!).toMatchObject({ method: 'z', score: 1, drifted: false });
    expect(detectDrift({ x: seven }, { x: eight }).columns.x!.drifted).toBe(true);
    const big = new Float64Array(2000).fill(3);
    const wide = detectDrift({ x: big }, { x: big }, { method: 'wasserstein' });
    expect(wide.columns.x!.score).toBe(0);
    expect(detectDrift({ x: big }, { x: big }).columns.x!).toMatchObject({
      method: 'jensenshannon',
      score: 0,
    });
    expect(jensenShannon([1], [1])).toBe(0);
  });

  it('columns missing from current data are one DataError naming them', () => {
    const call = () => detectDrift({ a: [1, 2], b: [1, 2], c: [3] }, { a: [1, 2] });
    expect(call).toThrow(DataError);
    expect(call).toThrow(/current data has no column "b", "c"/);
    expect(() => detectDrift({ a: [1, 2] }, { a: [1] }, { columns: ['a', 'z'] })).toThrow(
      /reference data has no column "z"/,
    );
  });

  it('a column with no finite values is a DataError naming it', () => {
    expect(() => detectDrift({ a: [Number.NaN] }, { a: [1] })).toThrow(
      /column "a" has no finite values in the reference/,
    );
    expect(() => detectDrift({ a: [1] }, { a: [Infinity] })).toThrow(
      /column "a" has no finite values in the current/,
    );
  });
});
