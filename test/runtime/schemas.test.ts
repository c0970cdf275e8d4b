import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/runtime/errors.js';
import { ForecasterConfigSchema } from '../../src/runtime/schemas/forecaster-config.js';
import { ModelConfigSchema, modelLabel } from '../../src/runtime/schemas/model-config.js';
import { parseWith } from '../../src/runtime/schemas/parse.js';
import { PipelineConfigSchema } from '../../src/runtime/schemas/pipeline-config.js';
import { normaliseKeys, TrainConfigSchema } from '../../src/runtime/schemas/train-config.js';

const pipeline = (input: unknown) => parseWith(PipelineConfigSchema, input, 'pipeline config');

describe('PipelineConfigSchema', () => {
  it('fills defaults and resolves durations to periods', () => {
    const cfg = pipeline({ target: 'OT' });
    expect(cfg).toMatchObject({
      target: ['OT'],
      timeColumn: 'timestamp',
      period: '1h',
      periodMs: 3_600_000,
      horizon: 24,
      lookback: 168,
      stride: 24,
      trainStride: 1,
      calendar: ['hour', 'day_of_week', 'weekend'],
      inputScaler: 'standard',
      targetScaler: 'standard',
    });
  });

  it('resolves 30-minute periods and defaults stride to the horizon', () => {
    const cfg = pipeline({ target: 'load', period: '30min', horizon: '1D', lookback: '7D' });
    expect([cfg.horizon, cfg.lookback, cfg.stride]).toEqual([48, 336, 48]);
    expect(pipeline({ target: 'load', horizon: 12, stride: 3 }).stride).toBe(3);
  });

  it('names every bad field in one error', () => {
    let error: unknown;
    try {
      pipeline({ target: [], period: 'fortnightly', horizon: -1, inputScaler: 'zscore', extra: 1 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const err = error as ConfigError;
    const paths = err.issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['target', 'period', 'horizon', 'inputScaler', '(root)']));
    expect(err.message).toContain('period: expected a period such as "30min", "1h", "1D" or "7D"');
    expect(err.message).toContain(
      'inputScaler: Invalid option: expected one of "standard"|"robust"|"minmax"|"none"',
    );
    expect(err.message).toMatch(/Unrecognized key: "extra"/);
  });

  it('rejects a horizon that is not a whole number of periods', () => {
    expect(() => pipeline({ target: 'y', period: '1h', horizon: '90min' })).toThrow(
      /horizon: "90min" is not a whole number of periods \(period 1h\)/,
    );
  });

  it('requires latitude and longitude for day_night', () => {
    expect(() => pipeline({ target: 'y', calendar: ['day_night'] })).toThrow(
      /calendar: "day_night" needs latitude and longitude/,
    );
    expect(pipeline({ target: 'y', calendar: ['day_night'], latitude: 52, longitude: 4 }).latitude).toBe(52);
  });

  it('rejects the time column as a feature and duplicated covariates', () => {
    expect(() => pipeline({ target: 'timestamp' })).toThrow(/target: "timestamp" is the time column/);
    expect(() => pipeline({ target: 'y', exogenous: ['t'], pastExogenous: ['t'] })).toThrow(
      /pastExogenous: "t" is listed twice/,
    );
  });
});

describe('model configs', () => {
  it('defaults and labels', () => {
    const naive = ModelConfigSchema.parse({ name: 'seasonal_naive' });
    expect(naive).toEqual({ name: 'seasonal_naive', season: '1D' });
    expect(modelLabel(naive)).toBe('seasonal_naive_1D');
    expect(modelLabel(ModelConfigSchema.parse({ name: 'linear' }))).toBe('linear');
    expect(ModelConfigSchema.parse({ name: 'linear' })).toEqual({ name: 'linear', alpha: 1 });
  });

  it('rejects unknown models and bad parameters by name', () => {
    expect(() => parseWith(ModelConfigSchema, { name: 'prophet' }, 'model config')).toThrow(
      /name: unknown model "prophet"; expected one of "seasonal_naive", "linear", "gbdt", "mlp" \(or lightgbm, ridge, mlpf\)/,
    );
    expect(() => parseWith(ModelConfigSchema, { name: 'linear', alpha: -1 }, 'model config')).toThrow(
      /alpha: Too small/,
    );
    expect(() =>
      parseWith(ModelConfigSchema, { name: 'seasonal_naive', season: 'weekly' }, 'model config'),
    ).toThrow(/season: expected a duration/);
  });
});

describe('forecaster and train configs', () => {
  it('defaults the split and checkpoint location', () => {
    expect(ForecasterConfigSchema.parse({})).toEqual({
      checkpointRoot: 'checkpoints',
      name: 'twiga',
      split: { testFraction: 0.2, valFraction: 0.1 },
      ensemble: 'mean',
      strategy: 'per_series',
      seed: 42,
      tune: false,
      numTrials: 20,
      // Cross-conformal calibration by default (issue 14); adaptive intervals off.
      conformal: { method: 'cv_plus', folds: 4, foldStride: 4, rescale: true, span: 'whole' },
      intervals: {},
    });
  });

  it('rejects unsafe checkpoint names and bad dates', () => {
    expect(() => parseWith(ForecasterConfigSchema, { name: '../x' }, 'forecaster config')).toThrow(
      /name: use letters/,
    );
    expect(() =>
      parseWith(ForecasterConfigSchema, { split: { testStart: '31/12/2017' } }, 'forecaster config'),
    ).toThrow(/split.testStart: expected a date/);
  });

  it('reads twiga-style snake_case keys', () => {
    const raw = normaliseKeys({
      data_pipeline: {
        target_feature: 'OT',
        date_column: 'date',
        forecast_horizon: 24,
        lookback_window_size: 168,
        calendar_variables: ['hour'],
      },
      train: { checkpoint_dir: 'ck', model_name: 'etth1' },
    });
    const cfg = TrainConfigSchema.parse(raw);
    expect(cfg.pipeline).toMatchObject({
      target: ['OT'],
      timeColumn: 'date',
      horizon: 24,
      lookback: 168,
      calendar: ['hour'],
    });
    expect(cfg.train).toMatchObject({ checkpointRoot: 'ck', name: 'etth1' });
  });
});
