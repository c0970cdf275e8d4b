/** buildDriftReference: bounded, deterministic, exact samples with whole-column summaries. */
import { describe, expect, it } from 'vitest';
import { buildDriftReference, DriftReferenceSchema, referenceColumns } from '../../../src/runtime/index.js';

describe('buildDriftReference', () => {
  const x = Float64Array.from({ length: 20_000 }, (_, i) => Math.sin(i) * 10 + (i % 7));
  const withGaps = Float64Array.from([1, Number.NaN, 2, Infinity, 2, 3]);

  it('keeps at most maxSamples exact values, deterministic by seed, and JSON-serialisable', () => {
    const ref = buildDriftReference({ x, g: withGaps }, { maxSamples: 500, seed: 42 });
    const col = ref.columns.x!;
    expect(col.values).toHaveLength(500);
    const all = new Set(x);
    for (const v of col.values) expect(all.has(v)).toBe(true);
    expect(new Set(col.values.map((_, i) => i)).size).toBe(500);
    expect(buildDriftReference({ x }, { maxSamples: 500, seed: 42 }).columns.x!.values).toEqual(col.values);
    expect(buildDriftReference({ x }, { maxSamples: 500, seed: 43 }).columns.x!.values).not.toEqual(
      col.values,
    );
    const json = JSON.parse(JSON.stringify(ref));
    expect(DriftReferenceSchema.parse(json)).toEqual(ref);
    expect(referenceColumns(json).x).toEqual(Float64Array.from(col.values));
  });

  it('summarises the whole column and drops non-finite values', () => {
    const ref = buildDriftReference({ g: withGaps });
    expect(ref.columns.g).toEqual({
      n_original: 4,
      n_non_finite: 2,
      n_unique: 3,
      min: 1,
      max: 3,
      mean: 2,
      std: Math.sqrt(0.5),
      values: [1, 2, 2, 3],
    });
    expect(ref.max_samples).toBe(5000);
    const empty = buildDriftReference({ e: [Number.NaN] }).columns.e!;
    expect(empty).toMatchObject({ n_original: 0, min: null, std: null, values: [] });
  });

  it('samples without replacement: a sample of all values is the column itself', () => {
    const ref = buildDriftReference({ x }, { maxSamples: x.length });
    expect(ref.columns.x!.values).toEqual(Array.from(x));
  });
});
