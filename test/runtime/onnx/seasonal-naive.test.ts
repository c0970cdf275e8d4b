/** The seasonal naive ONNX export equals its in-memory reference exactly. */
import { describe, expect, it } from 'vitest';
import { ModelError } from '../../../src/runtime/errors.js';
import { exportModel, predictInMemory } from '../../../src/runtime/models/export.js';
import { seasonalNaiveIndices } from '../../../src/runtime/models/seasonal-naive.js';
import type { SeasonalNaiveSpec } from '../../../src/runtime/models/spec.js';
import { createOnnxEngine } from '../../../src/runtime/onnx/engine.js';

const engine = createOnnxEngine();

function spec(seasonSteps: number, horizon: number, nTargets: number): SeasonalNaiveSpec {
  const lookback = Math.max(seasonSteps, 48);
  const targetLagOffset = 5; // calendar features first, as a pipeline might lay them out
  return {
    kind: 'seasonal_naive',
    label: `sn_${seasonSteps}_${horizon}_${nTargets}`,
    seasonSteps,
    lookback,
    targetLagOffset,
    horizon,
    nTargets,
    nFeatures: targetLagOffset + nTargets * lookback + 3,
  };
}

describe('seasonal naive', () => {
  it('follows the spec formula', () => {
    const s = { ...spec(4, 6, 2), lookback: 4, nFeatures: 5 + 8 };
    // target 0 lags are features 5..8, target 1 lags 9..12; step h reads lag (h mod 4) of the last season.
    expect(Array.from(seasonalNaiveIndices(s))).toEqual([5, 9, 6, 10, 7, 11, 8, 12, 5, 9, 6, 10]);
  });

  for (const seasonSteps of [24, 168]) {
    for (const horizon of [24, 48]) {
      for (const nTargets of [1, 2]) {
        it(`ONNX equals the reference exactly (season ${seasonSteps}, horizon ${horizon}, ${nTargets} target(s))`, async () => {
          const s = spec(seasonSteps, horizon, nTargets);
          const nRows = 37;
          const f32 = new Float32Array(nRows * s.nFeatures);
          for (let i = 0; i < f32.length; i++) f32[i] = Math.sin(i * 0.37) * 1000 + i / 7;
          const expected = predictInMemory(s, Float64Array.from(f32), nRows);
          const model = await engine.load(exportModel(s), s.label);
          const actual = await model.run(f32, nRows, s.nFeatures);
          await model.release();
          expect(actual.length).toBe(nRows * horizon * nTargets);
          expect(Float64Array.from(actual)).toEqual(expected);
        });
      }
    }
  }

  it('rejects a season longer than the lookback', () => {
    expect(() => exportModel({ ...spec(24, 24, 1), lookback: 12 })).toThrow(ModelError);
  });

  it('rejects lag indices beyond nFeatures', () => {
    expect(() => exportModel({ ...spec(24, 24, 2), nFeatures: 60 })).toThrow(/only 60 features/);
  });
});
