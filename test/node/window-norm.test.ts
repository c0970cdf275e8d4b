/**
 * `window_norm` trained for real (GBDT and MLP): the trees and the net follow a level they never saw, and the
 * checkpoint serves the trainer's float64 forecast through onnxruntime-web and the lean engine alike.
 */
import { describe, expect, it } from 'vitest';
import { fitForecaster } from '../../src/node/fit.js';
import { nodeLeanKernels } from '../../src/node/lean-wasm.js';
import { memoryLogger } from '../../src/node/log.js';
import { ConfigError } from '../../src/runtime/errors.js';
import { buildFeatures, prepareFrame } from '../../src/runtime/features/pipeline.js';
import { Forecaster } from '../../src/runtime/forecaster.js';
import type { Frame } from '../../src/runtime/frame.js';
import { createLeanEngine } from '../../src/runtime/lean/engine.js';
import { predictInMemory } from '../../src/runtime/models/export.js';
import { createOnnxEngine } from '../../src/runtime/onnx/engine.js';
import { ModelConfigSchema } from '../../src/runtime/schemas/model-config.js';
import { PipelineConfigSchema } from '../../src/runtime/schemas/pipeline-config.js';

// A daily cycle on a rising level: the test days sit above every level the training days saw.
const days = 40;
const n = days * 24;
const rising: Frame = {
  time: Float64Array.from({ length: n }, (_, i) => Date.UTC(2024, 0, 1) + i * 3_600_000),
  columns: {
    y: Float64Array.from(
      { length: n },
      (_, i) => 100 + i * 0.5 + 20 * Math.sin((2 * Math.PI * i) / 24) + 3 * Math.sin(i * 1.7),
    ),
  },
};
const pipelineConfig = PipelineConfigSchema.parse({ target: 'y', period: '1h', horizon: 24, lookback: 48 });
const trainEnd = 30 * 24;
const base = {
  frame: rising,
  pipelineConfig,
  trainEnd,
  valFraction: 0.15,
  ensemble: 'mean' as const,
  engine: createOnnxEngine(),
  logger: memoryLogger(),
};
const MODELS = {
  gbdt: { name: 'gbdt', numTrees: 60, learningRate: 0.2, threads: 1 },
  mlp: { name: 'mlp', hidden: [16], epochs: 30, batchesPerEpoch: 0, batchSize: 64 },
};
const fitFamily = (family: keyof typeof MODELS, transform: string) =>
  fitForecaster({ ...base, models: [ModelConfigSchema.parse({ ...MODELS[family], transform })] });

describe.each(Object.keys(MODELS) as (keyof typeof MODELS)[])('%s under window_norm', (family) => {
  it('follows an unseen level; ORT and the lean engine serve the trainer’s forecast', async () => {
    const plain = await fitFamily(family, 'none');
    const normed = await fitFamily(family, 'window_norm');
    const spec = normed.models[0]!.spec;
    if (spec.kind !== 'gbdt' && spec.kind !== 'mlp') throw new Error('expected a gbdt or mlp spec');
    expect(spec.windowNorm).toMatchObject({ seasonSteps: 24, lookback: 48, targetLagOffset: 0 });
    expect(spec.residualOf).toBeUndefined();
    const mae = async (f: typeof plain) =>
      (await f.forecaster.evaluate(rising, trainEnd)).metrics[family]!.mae!;
    // Plain trees cap at the training level; the normalised learners add the window's level back.
    expect(await mae(normed)).toBeLessThan((await mae(plain)) / 3);

    const origins = Array.from({ length: 30 }, (_, i) => trainEnd + i * 5);
    const p = normed.forecaster.pipeline;
    const features = buildFeatures(p, prepareFrame(p, rising), origins).features;
    const s = p.scalers.target['y']!;
    const reference = predictInMemory(spec, features, origins.length).map((z) => z * s.scale + s.center);
    const onOrt = await normed.forecaster.predictOrigins(rising, origins);
    const lean = await Forecaster.fromFiles(normed.files, createLeanEngine({ kernels: nodeLeanKernels() }));
    expect(Object.values(lean.engines)).toEqual(['lean']);
    const onLean = await lean.predictOrigins(rising, origins);
    const ort = onOrt.predictions[family]!;
    let worst = 0;
    reference.forEach((r, i) => {
      worst = Math.max(worst, Math.abs(ort[i]! - r) / Math.abs(r));
    });
    expect(worst).toBeLessThanOrEqual(1e-5);
    expect(Array.from(onLean.predictions[family]!)).toEqual(Array.from(ort));
  });
});

describe('window_norm config', () => {
  it('names the field: an unknown transform, a season the lookback does not cover', async () => {
    const bad = ModelConfigSchema.safeParse({ name: 'gbdt', transform: 'window_nrm' });
    expect(bad.error?.issues[0]?.path).toEqual(['transform']);
    expect(bad.error?.issues[0]?.message).toMatch(/window_norm/);
    const error = await fitForecaster({
      ...base,
      models: [ModelConfigSchema.parse({ ...MODELS.mlp, transform: 'window_norm', season: '3D' })],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues?.[0]?.path).toBe('models.mlp.season');
    expect((error as ConfigError).message).toMatch(
      /season of 72 steps is longer than the lookback \(48 steps\)/,
    );
  });
});
