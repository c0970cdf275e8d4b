import { describe, expect, it } from 'vitest';
import { featureName } from '../../../src/runtime/features/layout.js';
import {
  buildFeatures,
  fitPipeline,
  pipelineFromJson,
  pipelineToJson,
  prepareFrame,
  writeTargets,
} from '../../../src/runtime/features/pipeline.js';
import { splitRows } from '../../../src/runtime/features/split.js';
import type { Frame } from '../../../src/runtime/frame.js';
import { PipelineConfigSchema } from '../../../src/runtime/schemas/pipeline-config.js';

const H = 3_600_000;
const t0 = Date.UTC(2024, 0, 6, 0); // Saturday 2024-01-06 00:00

function frame(n: number): Frame {
  const time = Float64Array.from({ length: n }, (_, i) => t0 + i * H);
  const y = Float64Array.from({ length: n }, (_, i) => i); // 0, 1, 2, ...
  const temp = Float64Array.from({ length: n }, (_, i) => 10 + 2 * i);
  return { time, columns: { y, temp } };
}

describe('feature pipeline', () => {
  const config = PipelineConfigSchema.parse({
    target: 'y',
    timeColumn: 't',
    horizon: 2,
    lookback: 3,
    calendar: ['hour', 'weekend'],
    exogenous: ['temp'],
    inputScaler: 'minmax',
  });

  it('fits scalers on the training rows only', () => {
    const f = frame(10);
    const p = fitPipeline(config, f, 5); // rows 0..4 → y mean 2, population std √2
    expect(p.scalers.target['y']).toEqual({ kind: 'standard', center: 2, scale: Math.SQRT2 });
    // temp over rows 0..4 is 10..18: min 10, range 8
    expect(p.scalers.inputs['temp']).toEqual({ kind: 'minmax', center: 10, scale: 8 });
  });

  it('lays out lags, known-ahead covariates and calendar features per forecast step', () => {
    const f = frame(10);
    const p = fitPipeline(config, f, 5);
    // 3 lags + 2 temp steps + 2 × (hour_sin, hour_cos, weekend) = 11
    expect(p.layout.nFeatures).toBe(11);
    expect([0, 2, 3, 4, 5, 7, 9, 10].map((i) => featureName(p.layout, i))).toEqual([
      'y[t-3]',
      'y[t-1]',
      'temp[t+1]',
      'temp[t+2]',
      'hour_sin[t+1]',
      'hour_cos[t+1]',
      'weekend[t+1]',
      'weekend[t+2]',
    ]);
    const prepared = prepareFrame(p, f);
    const { features, origins } = buildFeatures(p, prepared, [4]);
    expect(origins).toEqual([4]);
    const s = Math.SQRT2;
    // window at origin 4: lags are rows 1..3 → (1-2)/√2, 0, (3-2)/√2; temp rows 4,5 → (18-10)/8, (20-10)/8
    const expected = [-1 / s, 0, 1 / s, 1, 1.25];
    // hours of rows 4 and 5: 04:00 and 05:00 on a Saturday
    expected.push(Math.sin((2 * Math.PI * 4) / 24), Math.sin((2 * Math.PI * 5) / 24));
    expected.push(Math.cos((2 * Math.PI * 4) / 24), Math.cos((2 * Math.PI * 5) / 24));
    expected.push(1, 1);
    features.forEach((v, i) => {
      expect(v).toBeCloseTo(expected[i]!, 12);
    });
    const y = new Float64Array(2);
    expect(writeTargets(prepared, 2, 4, y, 0)).toBe(true);
    expect(Array.from(y)).toEqual([(4 - 2) / s, (5 - 2) / s]);
  });

  it('skips windows with missing values and reports them', () => {
    const f = frame(10);
    f.columns['y']![2] = Number.NaN;
    const p = fitPipeline(config, f, 8);
    const batch = buildFeatures(p, prepareFrame(p, f), [3, 4, 5, 6]);
    expect(batch.origins).toEqual([6]);
    expect(batch.skipped).toEqual([3, 4, 5]);
    expect(batch.features.length).toBe(11);
  });

  it('round-trips through pipeline.json to identical transforms', () => {
    const f = frame(24);
    const p = fitPipeline({ ...config, targetScaler: 'robust' }, f, 16);
    const reloaded = pipelineFromJson(JSON.parse(JSON.stringify(pipelineToJson(p))));
    expect(reloaded).toEqual(p);
    const a = buildFeatures(p, prepareFrame(p, f), [5, 9, 13]);
    const b = buildFeatures(reloaded, prepareFrame(reloaded, f), [5, 9, 13]);
    expect(Array.from(b.features)).toEqual(Array.from(a.features));
  });
});

describe('splitRows', () => {
  const f = frame(72); // 2024-01-06 00:00 .. 2024-01-08 23:00
  it('splits by inclusive dates', () => {
    expect(splitRows(f, { trainEnd: '2024-01-06', testFraction: 0.2 })).toMatchObject({
      trainEnd: 24,
      testStart: 24,
    });
    expect(splitRows(f, { testStart: '2024-01-08', testFraction: 0.2 })).toMatchObject({
      trainEnd: 48,
      testStart: 48,
    });
    expect(
      splitRows(f, { trainEnd: '2024-01-06', testStart: '2024-01-08', testFraction: 0.2 }),
    ).toMatchObject({
      trainEnd: 24,
      testStart: 48,
    });
  });
  it('defaults to the last 20% of rows', () => {
    expect(splitRows(f, { testFraction: 0.2 })).toMatchObject({ trainEnd: 57, testStart: 57 });
  });
  it('rejects overlapping or empty splits', () => {
    expect(() =>
      splitRows(f, { trainEnd: '2024-01-08', testStart: '2024-01-07', testFraction: 0.2 }),
    ).toThrow(/overlaps/);
    expect(() => splitRows(f, { testStart: '2025-01-01', testFraction: 0.2 })).toThrow(/test split is empty/);
    expect(() => splitRows(f, { trainEnd: 'yesterday', testFraction: 0.2 })).toThrow(/expected a date/);
  });
});
