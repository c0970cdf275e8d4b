import { beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../../src/runtime/errors.js';
import {
  buildFeatures,
  type FittedPipeline,
  fitPipeline,
  prepareFrame,
} from '../../src/runtime/features/pipeline.js';
import { windowOrigins } from '../../src/runtime/features/windows.js';
import { ENSEMBLE_LABEL, Forecaster } from '../../src/runtime/forecaster.js';
import { encodePipelineFile } from '../../src/runtime/forecaster-files.js';
import type { Frame } from '../../src/runtime/frame.js';
import { exportModel, predictInMemory } from '../../src/runtime/models/export.js';
import type { ModelSpec } from '../../src/runtime/models/spec.js';
import { createOnnxEngine } from '../../src/runtime/onnx/engine.js';
import { PipelineConfigSchema } from '../../src/runtime/schemas/pipeline-config.js';
import { syntheticFrame, syntheticNetLoad } from '../../src/runtime/synthetic.js';
import { trainRidge } from '../../src/runtime/train/linear.js';
import { seasonalNaiveSpec } from '../../src/runtime/train/seasonal-naive.js';

const series = syntheticNetLoad({ days: 40 });
const frame: Frame = syntheticFrame(series);
const config = PipelineConfigSchema.parse({
  target: 'net_load',
  period: '30min',
  horizon: '1D',
  lookback: '2D',
  calendar: ['hour', 'day_of_week', 'weekend', 'day_night'],
  exogenous: ['temperature', 'irradiance'],
  latitude: series.latitude,
  longitude: series.longitude,
});
const trainEnd = 30 * 48;

let pipeline: FittedPipeline;
let specs: ModelSpec[];
let forecaster: Forecaster;

beforeAll(async () => {
  pipeline = fitPipeline(config, frame, trainEnd);
  const prepared = prepareFrame(pipeline, frame);
  const origins = windowOrigins(frame.time.length, { lookback: 96, horizon: 48, stride: 1, last: trainEnd });
  specs = [
    seasonalNaiveSpec(pipeline, { name: 'seasonal_naive', season: '1D' }, 'seasonal_naive_1D'),
    trainRidge(pipeline, prepared, origins, { label: 'linear', alpha: 1 }).spec,
  ];
  const files: Record<string, Uint8Array> = {
    'pipeline.json': encodePipelineFile({
      pipeline,
      models: specs.map((s) => ({ label: s.label, kind: s.kind, file: `${s.label}.onnx`, config: {} })),
      ensemble: 'mean',
    }),
  };
  for (const s of specs) files[`${s.label}.onnx`] = exportModel(s);
  forecaster = await Forecaster.fromFiles(files, createOnnxEngine());
});

describe('Forecaster', () => {
  it('gives the ONNX predictions the trainer computes in memory (relative error ≤ 1e-5)', async () => {
    const origins = windowOrigins(frame.time.length, {
      lookback: 96,
      horizon: 48,
      stride: 48,
      first: trainEnd - 96,
    });
    const batch = await forecaster.predictOrigins(frame, origins);
    expect(batch.origins).toEqual(origins);
    const features = buildFeatures(pipeline, prepareFrame(pipeline, frame), origins).features;
    const scaler = pipeline.scalers.target['net_load']!;
    let worst = 0;
    for (const spec of specs) {
      const ref = predictInMemory(spec, features, origins.length).map(
        (z) => z * scaler.scale + scaler.center,
      );
      const got = batch.predictions[spec.label]!;
      ref.forEach((r, i) => {
        worst = Math.max(worst, Math.abs(got[i]! - r) / Math.abs(r));
      });
    }
    expect(worst).toBeLessThanOrEqual(1e-5);
  });

  it('seasonal naive repeats yesterday in original units', async () => {
    const origin = trainEnd + 5;
    const batch = await forecaster.predictOrigins(frame, [origin]);
    const naive = batch.predictions['seasonal_naive_1D']!;
    for (let h = 0; h < 48; h++) expect(naive[h]).toBeCloseTo(series.net_load[origin - 48 + h]!, 2);
  });

  it('combines members into mean and median ensembles', async () => {
    const batch = await forecaster.predictOrigins(frame, [trainEnd], 'median');
    const a = batch.predictions['seasonal_naive_1D']!;
    const b = batch.predictions['linear']!;
    // the median of two members is their mean
    batch.predictions[ENSEMBLE_LABEL]!.forEach((v, i) => {
      expect(v).toBeCloseTo((a[i]! + b[i]!) / 2, 9);
    });
  });

  it('evaluates metrics per model and ensemble over stride-spaced windows', async () => {
    const result = await forecaster.evaluate(frame, trainEnd);
    expect(result.batch.origins).toEqual([1440, 1488, 1536, 1584, 1632, 1680, 1728, 1776, 1824, 1872]);
    expect(Object.keys(result.metrics)).toEqual(['seasonal_naive_1D', 'linear', 'ensemble']);
    expect(result.metrics['linear']!.n).toBe(10 * 48);
    expect(result.metrics['linear']!.mae).toBeLessThan(result.metrics['seasonal_naive_1D']!.mae);
  });

  it('forecasts the window after the last known target, using future covariates', async () => {
    const cut = trainEnd + 48;
    const recent: Frame = {
      time: frame.time.subarray(0, cut + 48),
      columns: {
        net_load: Float64Array.from(series.net_load.subarray(0, cut + 48), (v, i) =>
          i >= cut ? Number.NaN : v,
        ),
        temperature: series.temperature.subarray(0, cut + 48),
        irradiance: series.irradiance.subarray(0, cut + 48),
      },
    };
    const latest = await forecaster.predictLatest(recent);
    const direct = await forecaster.predictOrigins(frame, [cut]);
    expect(latest.origins).toEqual([cut]);
    expect(Array.from(latest.predictions['linear']!)).toEqual(Array.from(direct.predictions['linear']!));
  });

  it('refuses intervals when the checkpoint has no conformal table', async () => {
    const batch = await forecaster.predictOrigins(frame, [trainEnd]);
    expect(() => forecaster.intervals(batch, [0.9])).toThrow(/no conformal residuals/);
  });

  it('names what is missing when the history is too short or covariates are absent', async () => {
    const short: Frame = { time: frame.time.subarray(0, 50), columns: { ...frame.columns } };
    const cols = Object.fromEntries(Object.entries(frame.columns).map(([k, v]) => [k, v.subarray(0, 50)]));
    await expect(forecaster.predictLatest({ ...short, columns: cols })).rejects.toThrow(
      /need at least 96 rows of history/,
    );
    const noFuture = Object.fromEntries(
      Object.entries(frame.columns).map(([k, v]) => [k, v.subarray(0, 200)]),
    );
    await expect(
      forecaster.predictLatest({ time: frame.time.subarray(0, 200), columns: noFuture }),
    ).rejects.toThrow(
      /known-ahead covariates temperature, irradiance need 48 rows after the last target value/,
    );
    const { temperature: _t, ...withoutTemp } = frame.columns;
    await expect(forecaster.predictLatest({ time: frame.time, columns: withoutTemp })).rejects.toBeInstanceOf(
      DataError,
    );
  });
});
