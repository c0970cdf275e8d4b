/** detectDrift on real data: ETTh1's first year against a year later, a week later, itself and its own sample. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeDriftWasm } from '../../../src/node/drift-wasm.js';
import { buildDriftReference, detectDrift, referenceColumns } from '../../../src/runtime/index.js';

const text = readFileSync(
  fileURLToPath(new URL('../../../../shared/data/ETTh1.csv', import.meta.url)),
  'utf8',
);
const [header, ...lines] = text.trim().split('\n');
const names = header!.split(',').slice(1);
const table = lines.map((l) => l.split(',').slice(1).map(Number));
const HOURS_PER_YEAR = 8760;

function window(start: number, end: number): Record<string, Float64Array> {
  return Object.fromEntries(
    names.map((n, j) => [n, Float64Array.from(table.slice(start, end), (r) => r[j]!)]),
  );
}

const quantile = (sorted: Float64Array, q: number) => sorted[Math.floor(q * (sorted.length - 1))]!;
const std = (x: Float64Array) => {
  const m = x.reduce((s, v) => s + v, 0) / x.length;
  return Math.sqrt(x.reduce((s, v) => s + (v - m) ** 2, 0) / x.length);
};

/** Largest move of any decile, in reference standard deviations: "did this column really move?" */
function decileShift(ref: Float64Array, cur: Float64Array): number {
  const a = Float64Array.from(ref).sort();
  const b = Float64Array.from(cur).sort();
  let max = 0;
  for (let k = 1; k <= 9; k++) max = Math.max(max, Math.abs(quantile(b, k / 10) - quantile(a, k / 10)));
  return max / std(ref);
}

const reference = window(0, HOURS_PER_YEAR); // 2016-07-01 .. 2017-06-30

beforeAll(async () => {
  await initNodeDriftWasm();
});

describe('ETTh1 drift', () => {
  it('the following year drifts in exactly the columns whose deciles moved by ≥ 0.2 σ', () => {
    // 2017-07-01 .. 2018-06-26: oil temperature (OT) runs ~0.85 σ cooler, the low-voltage loads
    // (LUFL, LULL) higher, and the high/middle useful loads (HUFL, MUFL) gain a negative tail.
    const current = window(HOURS_PER_YEAR, table.length);
    const summary = detectDrift(reference, current);
    const moved = names.filter((n) => decileShift(reference[n]!, current[n]!) >= 0.2);
    const drifted = names.filter((n) => summary.columns[n]!.drifted);
    expect(drifted).toEqual(moved);
    expect(drifted).toContain('OT');
    for (const n of names) expect(summary.columns[n]!.method).toBe('wasserstein');
    expect(summary.dataset_drift).toBe(drifted.length / names.length >= 0.5);
    // OT moved most: its normed Wasserstein distance is the largest.
    const ot = summary.columns.OT!.score;
    for (const n of names) expect(summary.columns[n]!.score).toBeLessThanOrEqual(ot);
  });

  it('a window one week later (98 % the same hours) flags nothing: no decile moved by 0.2 σ', () => {
    const current = window(168, HOURS_PER_YEAR + 168);
    const summary = detectDrift(reference, current);
    for (const n of names) expect(decileShift(reference[n]!, current[n]!)).toBeLessThan(0.2);
    expect(summary.n_drifted).toBe(0);
    expect(summary.drift_detected).toBe(false);
  });

  it('identical windows flag none, and neither does the checkpoint reference sample against its year', () => {
    expect(detectDrift(reference, window(0, HOURS_PER_YEAR)).n_drifted).toBe(0);
    const sample = buildDriftReference(reference, { maxSamples: 1000, seed: 7 });
    // A 1000-value reference switches Evidently to KS; the sample is exact, so the test stays valid.
    const summary = detectDrift(referenceColumns(sample), reference);
    for (const n of names) expect(summary.columns[n]!.method).toBe('ks');
    expect(summary.n_drifted).toBe(0);
    // ...while the same 1000-value sample does see the next year's oil temperature.
    expect(
      detectDrift(referenceColumns(sample), window(HOURS_PER_YEAR, table.length)).columns.OT!.drifted,
    ).toBe(true);
  });
});
