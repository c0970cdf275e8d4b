/**
 * The MLP on real ETTh1 windows: the ONNX graph onnxruntime-web serves predicts what the trainer predicts
 * (≤ 1e-6 relative in target units), the same seed gives the same weights, early stopping keeps the best epoch,
 * and bad hyper-parameters are refused naming the field.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseModelsFlag } from '../../src/node/cli/train-flags.js';
import { ConfigError } from '../../src/runtime/errors.js';
import { prepareFrame } from '../../src/runtime/features/pipeline.js';
import { inverseTransform } from '../../src/runtime/features/scalers.js';
import type { Frame } from '../../src/runtime/frame.js';
import { exportModel, predictInMemory } from '../../src/runtime/models/export.js';
import type { MlpSpec } from '../../src/runtime/models/spec.js';
import { createOnnxEngine } from '../../src/runtime/onnx/engine.js';
import { type ModelConfigInput, ModelConfigSchema } from '../../src/runtime/schemas/model-config.js';
import { parseWith } from '../../src/runtime/schemas/parse.js';
import { PipelineConfigSchema } from '../../src/runtime/schemas/pipeline-config.js';
import { fitForecaster } from '../../src/runtime/train/fit.js';
import { windowMatrix } from '../../src/runtime/train/window-matrix.js';
import { etth1Frame } from '../edge/train-fixture.js';
import { SHARED_DATA } from './data/fixtures.js';

const ROWS = 2400;
const TRAIN_END = 2000;
const frame: Frame = etth1Frame(readFileSync(join(SHARED_DATA, 'ETTh1.csv'), 'utf8'), ROWS);
const quiet = { info() {}, warn() {}, step() {}, done() {} };
const engine = createOnnxEngine();

/** Day-ahead on one week of OT lags plus the load columns at the forecast steps; one MLP. */
function fitMlp(model: ModelConfigInput, tune?: { numTrials: number; seed: number }) {
  return fitForecaster({
    frame,
    pipelineConfig: PipelineConfigSchema.parse({
      target: 'OT',
      period: '1h',
      horizon: 24,
      lookback: 168,
      exogenous: ['HUFL', 'MUFL'],
    }),
    models: [ModelConfigSchema.parse(model)],
    trainEnd: TRAIN_END,
    valFraction: 0.2,
    ensemble: 'mean',
    engine,
    logger: quiet,
    ...(tune ? { tune } : {}),
  });
}

const weightsOf = (spec: MlpSpec) => spec.layers.flatMap((l) => [...l.weights, ...l.bias]);

describe('mlp', () => {
  it('ONNX served by onnxruntime-web equals the trainer within 1e-6 relative (target units)', async () => {
    const fit = await fitMlp({ name: 'mlp', epochs: 15, seed: 3, batchesPerEpoch: 0 });
    const spec = fit.models[0]!.spec as MlpSpec;
    expect(spec.kind).toBe('mlp');
    expect(spec.layers.map((l) => l.outputs)).toEqual([64, 64, 24]);
    expect(spec.residualOf).toBeDefined(); // auto → seasonal_residual: the one-week lookback covers one day
    // Every window after the validation start, as float32 features (what the engine is fed).
    const pipeline = fit.forecaster.pipeline;
    const prepared = prepareFrame(pipeline, frame);
    const origins = Array.from({ length: ROWS - 24 - fit.valStart }, (_, i) => fit.valStart + i);
    const m = windowMatrix(pipeline, prepared, origins);
    const f32 = Float32Array.from(m.x);
    const trainer = predictInMemory(spec, Float64Array.from(f32), m.n);
    const model = await engine.load(exportModel(spec), spec.label);
    const onnx = await model.run(f32, m.n, spec.nFeatures);
    await model.release();
    const scaler = pipeline.scalers.target['OT']!;
    let maxRel = 0;
    let maxAbs = 0;
    for (let k = 0; k < trainer.length; k++) {
      const a = inverseTransform(scaler, onnx[k]!);
      const b = inverseTransform(scaler, trainer[k]!);
      maxRel = Math.max(maxRel, Math.abs(a - b) / Math.max(Math.abs(b), 1e-6 * scaler.scale));
      maxAbs = Math.max(maxAbs, Math.abs(onnx[k]! - trainer[k]!));
    }
    console.info(
      `mlp parity over ${trainer.length} outputs (${m.n} windows × 24): max relative error ${maxRel.toExponential(2)}, ` +
        `max |Δ| in scaled space ${maxAbs.toExponential(2)}`,
    );
    expect(m.n).toBeGreaterThan(400);
    expect(maxRel).toBeLessThanOrEqual(1e-6);
    // And the forecaster (the checkpoint's ONNX through the engine) forecasts what the trainer does.
    expect(fit.validation!.batch.predictions['mlp']!.length).toBeGreaterThan(0);
  }, 300_000);

  it('is reproducible: the same seed gives identical weights and ONNX bytes, another seed does not', async () => {
    const model: ModelConfigInput = {
      name: 'mlp',
      hidden: [16],
      epochs: 4,
      batchesPerEpoch: 10, // more than a pass: the shuffle is redrawn inside an epoch
      patience: 0,
      seed: 11,
    };
    const [a, b, c] = [await fitMlp(model), await fitMlp(model), await fitMlp({ ...model, seed: 12 })];
    const spec = (f: typeof a) => f.models[0]!.spec as MlpSpec;
    expect(weightsOf(spec(a))).toEqual(weightsOf(spec(b)));
    expect(a.files['mlp.onnx']).toEqual(b.files['mlp.onnx']);
    expect(weightsOf(spec(a))).not.toEqual(weightsOf(spec(c)));
    expect(spec(a).training.epochs).toBe(4);
  }, 300_000);

  it('stops early and keeps the best epoch (a learning rate too high to settle)', async () => {
    const fit = await fitMlp({ name: 'mlp', hidden: [16], epochs: 60, patience: 3, learningRate: 0.05 });
    const { training } = fit.models[0]!.spec as MlpSpec;
    expect(training.epochs).toBeLessThan(60);
    expect(training.epochs - training.bestEpoch).toBe(3);
    expect(training.validationMae).toBeGreaterThan(0);
  }, 300_000);

  it('TPE tunes the hidden width, learning rate, weight decay and transform; the configured ones are trial 0', async () => {
    const fit = await fitMlp(
      { name: 'mlp', hidden: [8, 8], epochs: 3, batchesPerEpoch: 3, patience: 0 },
      { numTrials: 5, seed: 2 },
    );
    const { tuning, spec } = fit.models[0]!;
    expect(tuning!.trials).toHaveLength(5);
    // The default transform `auto` is a knob too (1 = seasonal_residual, the configured choice, in trial 0).
    expect(tuning!.trials[0]!.params).toEqual({
      width: 8,
      learningRate: 1e-3,
      weightDecay: 1e-2,
      seasonalResidual: 1,
    });
    expect(Object.keys(tuning!.trials[1]!.params).sort()).toEqual([
      'learningRate',
      'seasonalResidual',
      'weightDecay',
      'width',
    ]);
    const scores = tuning!.trials.map((t) => t.score);
    expect(tuning!.best.score).toBe(Math.min(...scores));
    // The kept model is the best trial's, not a refit: its layers have the best width.
    const width = tuning!.best.params['width']!;
    expect((spec as MlpSpec).layers.map((l) => l.outputs)).toEqual([width, width, 24]);
    expect((spec as MlpSpec).residualOf !== undefined).toBe(tuning!.best.params['seasonalResidual'] === 1);
    expect(new Set(tuning!.trials.map((t) => t.params['width'])).size).toBeGreaterThan(1);
  }, 300_000);

  it('refuses bad hyper-parameters naming the field, and accepts the mlpf alias', () => {
    const bad = (model: Record<string, unknown>) => {
      try {
        parseWith(ModelConfigSchema, model, 'model config', 'models[0]');
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).issues.map((i) => i.path);
      }
      throw new Error('expected a ConfigError');
    };
    expect(bad({ name: 'mlp', hidden: [] })).toEqual(['models[0].hidden']);
    expect(bad({ name: 'mlp', learningRate: 0 })).toEqual(['models[0].learningRate']);
    expect(bad({ name: 'mlp', batchSize: 0.5 })).toEqual(['models[0].batchSize']);
    expect(bad({ name: 'mlp', dropout: 0.1 })).toEqual(['models[0]']);
    // The CLI's `--models mlp:32x16,mlpf`: hidden widths after the colon, the alias without.
    expect(parseModelsFlag('mlp:32x16,mlpf').map((m) => ModelConfigSchema.parse(m))).toMatchObject([
      { name: 'mlp', hidden: [32, 16] },
      { name: 'mlp', hidden: [64, 64] },
    ]);
    expect(bad(parseModelsFlag('mlp:wide')[0]!)).toEqual(['models[0].hidden[0]']);
    expect(ModelConfigSchema.parse({ name: 'mlpf' })).toMatchObject({
      name: 'mlp',
      hidden: [64, 64],
      patience: 10,
    });
  });
});
