/** fitForecaster on synthetic net load: validation, conformal intervals through ONNX, and their coverage. */
import { describe, expect, it } from 'vitest';
import { scoreIntervals } from '../../src/node/evaluate.js';
import { fitForecaster } from '../../src/node/fit.js';
import { memoryLogger } from '../../src/node/log.js';
import type { Frame } from '../../src/runtime/frame.js';
import { createOnnxEngine } from '../../src/runtime/onnx/engine.js';
import { PipelineConfigSchema } from '../../src/runtime/schemas/pipeline-config.js';
import { syntheticFrame, syntheticNetLoad } from '../../src/runtime/synthetic.js';

const series = syntheticNetLoad({ days: 70 });
const frame: Frame = syntheticFrame(series);
const pipelineConfig = PipelineConfigSchema.parse({
  target: 'net_load',
  period: '30min',
  horizon: '1D',
  lookback: '2D',
  exogenous: ['temperature', 'irradiance'],
});

describe('fitForecaster', () => {
  it('stores split-conformal residual quantiles and gives intervals that cover about their level', async () => {
    const trainEnd = 56 * 48;
    const fit = await fitForecaster({
      frame,
      pipelineConfig,
      models: [
        { name: 'seasonal_naive', season: '1D' },
        { name: 'linear', alpha: 1 },
      ],
      trainEnd,
      valFraction: 0.25,
      ensemble: 'mean',
      engine: createOnnxEngine(),
      logger: memoryLogger(),
    });
    expect(fit.valStart).toBe(trainEnd - 672);
    const conformal = fit.forecaster.manifest.conformal!;
    // The checkpoint's own ensemble, then one table per strategy (requests may ask for any of them).
    expect(Object.keys(conformal.models)).toEqual([
      'seasonal_naive_1D',
      'linear',
      'ensemble',
      'ensemble:mean',
      'ensemble:median',
      'ensemble:weighted',
      'ensemble:best',
    ]);
    expect(conformal.models['ensemble:mean']).toEqual(conformal.models['ensemble']);
    // every validation origin (stride 1) whose horizon fits before trainEnd: 672 − 48 + 1
    expect(conformal.models['linear']!.n).toEqual(new Array(48).fill(625));
    const test = await fit.forecaster.evaluate(frame, trainEnd);
    const intervals = fit.forecaster.intervals(test.batch, [0.5, 0.9]);
    const { lower, upper } = intervals['linear']!['0.9']!;
    const pred = test.batch.predictions['linear']!;
    for (let i = 0; i < pred.length; i++) expect(upper[i]! - pred[i]!).toBeCloseTo(pred[i]! - lower[i]!, 9);
    const score = scoreIntervals(intervals, test.actual);
    expect(score['linear']!['0.5']!.coverage).toBeGreaterThan(0.35);
    expect(score['linear']!['0.9']!.coverage).toBeGreaterThan(0.8);
    expect(score['linear']!['0.9']!.mean_width).toBeGreaterThan(score['linear']!['0.5']!.mean_width);
    expect(() => fit.forecaster.intervals(test.batch, [1.2])).toThrow(/between 0 and 1/);
  });
});
