/** The gbdt model inside the forecaster: trained per horizon step, tuned with TPE, served through ONNX. */
import { describe, expect, it } from 'vitest';
import { fitForecaster } from '../../src/node/fit.js';
import { memoryLogger } from '../../src/node/log.js';
import { buildFeatures, prepareFrame } from '../../src/runtime/features/pipeline.js';
import type { Frame } from '../../src/runtime/frame.js';
import { predictGbdtSpec } from '../../src/runtime/models/gbdt.js';
import { createOnnxEngine } from '../../src/runtime/onnx/engine.js';
import { ModelConfigSchema } from '../../src/runtime/schemas/model-config.js';
import { PipelineConfigSchema } from '../../src/runtime/schemas/pipeline-config.js';
import { syntheticFrame, syntheticNetLoad } from '../../src/runtime/synthetic.js';

const series = syntheticNetLoad({ days: 45 });
const frame: Frame = syntheticFrame(series);
const pipelineConfig = PipelineConfigSchema.parse({
  target: 'net_load',
  period: '30min',
  horizon: 6,
  lookback: 48,
  exogenous: ['temperature', 'irradiance'],
});
const gbdt = ModelConfigSchema.parse({
  name: 'lightgbm',
  numTrees: 40,
  learningRate: 0.1,
  numLeaves: 15,
  threads: 1,
});
const base = {
  frame,
  pipelineConfig,
  trainEnd: 38 * 48,
  valFraction: 0.15,
  ensemble: 'mean' as const,
  engine: createOnnxEngine(),
  logger: memoryLogger(),
};

describe('gbdt model', () => {
  it('accepts lightgbm as an alias', () => {
    expect(gbdt).toMatchObject({ name: 'gbdt', numTrees: 40, objective: 'squared_error', maxDepth: 6 });
  });

  it('serves the trainer’s predictions through ONNX (relative error ≤ 1e-5)', async () => {
    const fit = await fitForecaster({ ...base, models: [gbdt] });
    const origins = Array.from({ length: 20 }, (_, i) => base.trainEnd + i * 6);
    const batch = await fit.forecaster.predictOrigins(frame, origins);
    const p = fit.forecaster.pipeline;
    const features = buildFeatures(p, prepareFrame(p, frame), origins).features;
    const spec = fit.models[0]!.spec;
    if (spec.kind !== 'gbdt') throw new Error('expected a gbdt spec');
    const s = p.scalers.target['net_load']!;
    const ref = predictGbdtSpec(spec, features, origins.length).map((z) => z * s.scale + s.center);
    let worst = 0;
    ref.forEach((r, i) => {
      worst = Math.max(worst, Math.abs(batch.predictions['gbdt']![i]! - r) / Math.abs(r));
    });
    expect(worst).toBeLessThanOrEqual(1e-5);
  });

  it('tuning records every trial and matches or beats the configured parameters', async () => {
    const fit = await fitForecaster({ ...base, models: [gbdt], tune: { numTrials: 5, seed: 11 } });
    const tuning = fit.models[0]!.tuning!;
    expect(tuning.trials).toHaveLength(5);
    expect(tuning.trials[0]).toMatchObject({
      number: 0,
      source: 'enqueued',
      params: { learningRate: 0.1, numLeaves: 15, seasonalResidual: 1 },
    });
    for (const t of tuning.trials) {
      expect(Object.keys(t.params).sort()).toEqual([
        'baggingFraction',
        'featureFraction',
        'lambdaL2',
        'learningRate',
        'maxDepth',
        'minDataInLeaf',
        'numLeaves',
        'seasonalResidual',
      ]);
      expect(t.score).toBeGreaterThan(0);
      expect(t.seconds).toBeGreaterThan(0);
    }
    expect(tuning.best.score).toBeLessThanOrEqual(tuning.trials[0]!.score);
    // The transform is tuned too: the kept model carries the residual exactly when its trial chose it.
    const spec = fit.models[0]!.spec;
    expect(spec.kind === 'gbdt' && spec.residualOf !== undefined).toBe(
      tuning.best.params['seasonalResidual'] === 1,
    );
    const again = await fitForecaster({ ...base, models: [gbdt], tune: { numTrials: 5, seed: 11 } });
    expect(again.models[0]!.tuning!.trials.map((t) => t.params)).toEqual(tuning.trials.map((t) => t.params));
  });

  it('windowStride trains on every k-th window (validation keeps all); 0 is refused naming the field', async () => {
    const every = await fitForecaster({ ...base, models: [gbdt] });
    const third = await fitForecaster({
      ...base,
      models: [ModelConfigSchema.parse({ ...gbdt, windowStride: 3 })],
    });
    expect(third.trainWindows).toBe(every.trainWindows);
    expect(third.models[0]!.windows).toBe(Math.ceil(every.models[0]!.windows / 3));
    expect(third.validation!.batch.origins).toEqual(every.validation!.batch.origins);
    expect(ModelConfigSchema.safeParse({ name: 'gbdt', windowStride: 0 }).error?.issues[0]?.path).toEqual([
      'windowStride',
    ]);
  });
});

describe('gbdt target transforms', () => {
  // A daily cycle on a rising level: the test days sit above every level the training days saw.
  const days = 40;
  const n = days * 24;
  const rising: Frame = {
    time: Float64Array.from({ length: n }, (_, i) => Date.UTC(2024, 0, 1) + i * 3_600_000),
    columns: {
      y: Float64Array.from({ length: n }, (_, i) => 100 + i * 0.5 + 20 * Math.sin((2 * Math.PI * i) / 24)),
    },
  };
  const config = PipelineConfigSchema.parse({ target: 'y', period: '1h', horizon: 24, lookback: 48 });
  const trainEnd = 30 * 24;
  const fitWith = (transform: 'none' | 'auto') =>
    fitForecaster({
      ...base,
      frame: rising,
      pipelineConfig: config,
      trainEnd,
      models: [
        ModelConfigSchema.parse({ name: 'gbdt', numTrees: 60, learningRate: 0.2, threads: 1, transform }),
      ],
    });
  const testMae = async (fit: Awaited<ReturnType<typeof fitWith>>) =>
    (await fit.forecaster.evaluate(rising, trainEnd)).metrics['gbdt']!.mae;

  it('auto learns the residual over the seasonal naive and follows a level it never saw', async () => {
    const plain = await testMae(await fitWith('none'));
    const residual = await fitWith('auto');
    const spec = residual.models[0]!.spec;
    expect(spec.kind === 'gbdt' && spec.residualOf?.length).toBe(24);
    // Plain trees cap at the training level (~100 below the test days); the residual trees add the lag back.
    expect(plain).toBeGreaterThan(50);
    expect(await testMae(residual)).toBeLessThan(plain / 5);
  });

  it('auto falls back to none when the lookback is shorter than the season; explicit residual refuses', async () => {
    const short = PipelineConfigSchema.parse({ target: 'y', period: '1h', horizon: 6, lookback: 12 });
    const model = (transform: string) =>
      ModelConfigSchema.parse({ name: 'gbdt', numTrees: 5, threads: 1, transform });
    const auto = await fitForecaster({
      ...base,
      frame: rising,
      pipelineConfig: short,
      trainEnd,
      models: [model('auto')],
    });
    const spec = auto.models[0]!.spec;
    expect(spec.kind === 'gbdt' && spec.residualOf).toBeUndefined();
    await expect(
      fitForecaster({
        ...base,
        frame: rising,
        pipelineConfig: short,
        trainEnd,
        models: [model('seasonal_residual')],
      }),
    ).rejects.toThrow(/season of 24 steps is longer than the lookback \(12 steps\)/);
  });
});
