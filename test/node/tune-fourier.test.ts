/** Tuning the pipeline's Fourier orders with TPE (issue 14): every trial refits the features, the chosen orders are recorded. */
import { afterAll, describe, expect, it } from 'vitest';
import { fitForecaster } from '../../src/node/fit.js';
import { memoryLogger } from '../../src/node/log.js';
import { ConfigError } from '../../src/runtime/errors.js';
import { decodePipelineFile, PIPELINE_FILE } from '../../src/runtime/forecaster-files.js';
import { createOnnxEngine } from '../../src/runtime/onnx/engine.js';
import { tuneOptions } from '../../src/runtime/schemas/forecaster-config.js';
import { ModelConfigSchema } from '../../src/runtime/schemas/model-config.js';
import { PipelineConfigSchema } from '../../src/runtime/schemas/pipeline-config.js';
import { syntheticFrame, syntheticNetLoad } from '../../src/runtime/synthetic.js';
import { runCliJson } from './cli-run.js';
import { tempFiles } from './data/fixtures.js';

const files = tempFiles();
afterAll(() => files.cleanup());

const series = syntheticNetLoad({ days: 40 });
const frame = syntheticFrame(series);
// Two hours of lookback and no calendar columns: only Fourier terms of the day can tell the models the daily profile.
const pipelineConfig = PipelineConfigSchema.parse({
  target: 'net_load',
  period: '30min',
  horizon: 6,
  lookback: 4,
  calendar: [],
});

describe('tuning the Fourier orders', () => {
  it('searches them with TPE from the configured ones, keeps the best and records it in pipeline.json', async () => {
    const fit = await fitForecaster({
      frame,
      pipelineConfig,
      models: [ModelConfigSchema.parse({ name: 'linear' })],
      trainEnd: 34 * 48,
      valFraction: 0.2,
      ensemble: 'mean',
      engine: createOnnxEngine(),
      logger: memoryLogger(),
      tune: { numTrials: 6, seed: 3, fourier: { day: 3, week: 2, year: 0 } },
    });
    const tuning = fit.fourierTuning!;
    expect(tuning.trials).toHaveLength(6);
    // The configured orders are trial 0; a cycle with most order 0 is not searched.
    expect(tuning.trials[0]).toMatchObject({ source: 'enqueued', params: { day: 0, week: 0 } });
    for (const t of tuning.trials) expect(Object.keys(t.params).sort()).toEqual(['day', 'week']);
    const best = tuning.best.params;
    expect(tuning.best.score).toBe(Math.min(...tuning.trials.map((t) => t.score)));
    // Without the daily terms the ridge cannot place the profile: the search picks some, and scores better
    // (measured: 0.715 against 0.790 for no terms, scaled MAE).
    expect(best['day']).toBeGreaterThanOrEqual(1);
    expect(tuning.best.score).toBeLessThan(0.95 * tuning.trials[0]!.score);
    const chosen = { day: best['day'], week: best['week'], year: 0 };
    expect(fit.forecaster.pipeline.config.fourier).toEqual(chosen);
    const recorded = decodePipelineFile(fit.files[PIPELINE_FILE]!).pipeline;
    expect(recorded.config.fourier).toEqual(chosen);
    // Four lags, then sin and cos of each order at each of the six forecast steps.
    expect(recorded.layout.nFeatures).toBe(4 + 6 * 2 * (chosen.day! + chosen.week!));
  });

  it('through the CLI: --tune-fourier puts the trials in the result; without --tune it is refused naming the field', async () => {
    const rows = Array.from(series.time, (t, i) => `${new Date(t).toISOString()},${series.net_load[i]}`);
    const data = files.file('load.csv', `timestamp,net_load\n${rows.join('\n')}\n`);
    const result = await runCliJson<{
      tuning: Record<string, { best: { params: Record<string, number> }; trials: unknown[] }>;
      checkpoint_path: string;
    }>([
      'train',
      ...[
        '--data',
        data,
        '--target',
        'net_load',
        '--horizon',
        '6',
        '--lookback',
        '4',
        '--calendar',
        'weekend',
      ],
      ...['--models', 'linear', '--tune', '--trials', '4', '--tune-fourier', 'day=2'],
      ...['--checkpoints', files.dir, '--name', 'fourier'],
    ]);
    const record = result.tuning['pipeline.fourier']!;
    expect(record.trials).toHaveLength(4);
    expect(Object.keys(record.best.params)).toEqual(['day']);
    expect(() =>
      tuneOptions({ tune: false, numTrials: 20, seed: 42, tuneFourier: { day: 2, week: 0, year: 0 } }),
    ).toThrow(ConfigError);
    try {
      tuneOptions({ tune: false, numTrials: 20, seed: 42, tuneFourier: { day: 2, week: 0, year: 0 } });
    } catch (error) {
      expect((error as ConfigError).issues.map((i) => i.path)).toEqual(['train.tuneFourier']);
    }
  }, 120_000);
});
