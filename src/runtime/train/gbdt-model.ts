/** The `gbdt` model: windows → histogram GBDT per horizon step, optionally tuned with TPE on the validation windows. */

import { ConfigError, DataError } from '../errors.js';
import type { FittedPipeline, PreparedFrame } from '../features/pipeline.js';
import { seasonalNaiveIndices } from '../models/seasonal-naive.js';
import type { GbdtSpec, SeasonalNaiveSpec } from '../models/spec.js';
import type { GbdtConfig } from '../schemas/model-config.js';
import type { TrainingBackend } from './backend.js';
import { type GbdtFit, type GbdtParams, predictGbdt, trainGbdt } from './gbdt/index.js';
import type { TrainingWindows } from './index.js';
import { type TargetTransform, transformedData, transformFields, type WindowRows } from './residual-data.js';
import { seasonalNaiveSpec } from './seasonal-naive.js';
import { type Params, type SearchSpace, type TpeResult, tpe } from './tpe.js';
import { windowMatrix } from './window-matrix.js';

/** What TPE searches (LightGBM's usual ranges). */
export const GBDT_SEARCH_SPACE: SearchSpace = {
  learningRate: { type: 'float', low: 0.01, high: 0.3, log: true },
  numLeaves: { type: 'int', low: 8, high: 128, log: true },
  maxDepth: { type: 'int', low: 3, high: 12 },
  minDataInLeaf: { type: 'int', low: 5, high: 200, log: true },
  lambdaL2: { type: 'float', low: 1e-3, high: 10, log: true },
  baggingFraction: { type: 'float', low: 0.5, high: 1 },
  featureFraction: { type: 'float', low: 0.5, high: 1 },
};

/** The transform as a tuning knob (0 = none, 1 = seasonal_residual), searched when `transform` is `auto`. */
export const TRANSFORM_KNOB: SearchSpace = { seasonalResidual: { type: 'int', low: 0, high: 1 } };

/** One TPE trial: parameters, validation score, seconds and source. */
export interface TuningRecord {
  metric: 'validation_mae_scaled';
  best: { number: number; params: Params; score: number };
  trials: TpeResult['trials'];
}

export interface GbdtModelFit {
  spec: GbdtSpec;
  windows: number;
  skipped: number;
  bestIteration: number[];
  tuning?: TuningRecord;
}

function paramsOf(config: GbdtConfig): Partial<GbdtParams> {
  const {
    name: _name,
    label: _label,
    threads,
    objective,
    transform: _t,
    season: _s,
    windowStride: _w,
    ...rest
  } = config;
  return { ...rest, objective, ...(threads === undefined ? {} : { threads }) };
}

/** Mean absolute error of a spec on the validation rows (in the target scaler's space). */
function validationMae(spec: GbdtSpec, x: Float64Array, y: Float64Array, n: number): number {
  const pred = predictGbdt(spec, x, n);
  let sum = 0;
  for (let i = 0; i < pred.length; i++) sum += Math.abs(pred[i]! - y[i]!);
  return sum / pred.length;
}

/** `window_norm`'s scale floor, relative to the target's training std (in the target scaler's space). */
export const WINDOW_NORM_EPS = 1e-3;

/**
 * The target transform a config asks for: `seasonal_residual` (also `auto` when the lookback covers the season),
 * `window_norm` (its scale floor from the training rows `train`), or `undefined` for `none`.
 * @throws ConfigError when `seasonal_residual` or `window_norm` is asked for a season the lookback does not cover.
 */
export function targetTransform(
  config: Pick<GbdtConfig, 'transform' | 'season'>,
  label: string,
  p: FittedPipeline,
  train: WindowRows,
): TargetTransform | undefined {
  if (config.transform === 'none') return undefined;
  let naive: SeasonalNaiveSpec;
  try {
    naive = seasonalNaiveSpec(p, { name: 'seasonal_naive', season: config.season }, label);
  } catch (error) {
    if (config.transform === 'auto' && error instanceof ConfigError) return undefined;
    throw error;
  }
  if (config.transform !== 'window_norm')
    return { kind: 'seasonal_residual', residualOf: seasonalNaiveIndices(naive) };
  const { seasonSteps, lookback, targetLagOffset, nTargets, nFeatures: F } = naive;
  // The series' own scale: the std of each target's most recent lag over the training windows.
  const eps = Array.from({ length: nTargets }, (_, t) => {
    const col = targetLagOffset + t * lookback + lookback - 1;
    let sum = 0;
    let sq = 0;
    for (let r = 0; r < train.n; r++) sum += train.x[r * F + col]!;
    const mean = sum / Math.max(1, train.n);
    for (let r = 0; r < train.n; r++) sq += (train.x[r * F + col]! - mean) ** 2;
    const std = Math.sqrt(sq / Math.max(1, train.n));
    return WINDOW_NORM_EPS * (std > 0 ? std : 1);
  });
  return { kind: 'window_norm', windowNorm: { seasonSteps, lookback, targetLagOffset, eps } };
}

export async function trainGbdtModel(
  config: GbdtConfig,
  label: string,
  p: FittedPipeline,
  f: PreparedFrame,
  windows: TrainingWindows,
  tuning?: { numTrials: number; seed: number },
  backend?: TrainingBackend,
): Promise<GbdtModelFit> {
  const fitOrigins =
    config.windowStride > 1 ? windows.fit.filter((_, i) => i % config.windowStride === 0) : windows.fit;
  const train = windowMatrix(p, f, fitOrigins);
  const valid = windowMatrix(p, f, windows.validation);
  if (train.n === 0) throw new DataError(`${label}: no complete training windows`, { model: label });
  const io = { nFeatures: p.layout.nFeatures, horizon: p.config.horizon, nTargets: p.config.target.length };
  const chosen = targetTransform(config, label, p, train);
  // One data object per transform: the trainer caches its bins per object, so tuning bins each once.
  const dataFor = (transform: TargetTransform | undefined) => transformedData(train, valid, io, transform);
  const datasets = new Map<TargetTransform | undefined, ReturnType<typeof dataFor>>();
  const data = (transform: TargetTransform | undefined) => {
    if (!datasets.has(transform)) datasets.set(transform, dataFor(transform));
    return datasets.get(transform)!;
  };
  const layout = {
    label,
    horizon: p.config.horizon,
    nTargets: p.config.target.length,
    ...(backend ? { backend } : {}),
  };
  const base = paramsOf(config);
  // The trees fit the transformed target; the spec undoes the transform, so its predictions are the targets'.
  const fitWith = async (params: Partial<GbdtParams>, transform = chosen) => {
    const fit = await trainGbdt(data(transform), params, layout);
    fit.spec = { ...fit.spec, ...transformFields(transform) };
    return fit;
  };

  if (!tuning) {
    const fit = await fitWith(base);
    return {
      spec: fit.spec,
      windows: train.n,
      skipped: train.skipped.length,
      bestIteration: fit.bestIteration,
    };
  }
  if (valid.n === 0) {
    throw new DataError(`${label}: tuning needs validation windows; set a validation fraction above 0`, {
      model: label,
    });
  }
  // Keep each trial's model: the best one is the result, with no refit.
  const fits: GbdtFit[] = [];
  // With `auto` and a season the lookback covers, the transform is a knob too (1 = seasonal_residual).
  const tuneTransform = config.transform === 'auto' && chosen !== undefined;
  const space: SearchSpace = tuneTransform ? { ...GBDT_SEARCH_SPACE, ...TRANSFORM_KNOB } : GBDT_SEARCH_SPACE;
  const configured = Object.fromEntries(
    Object.keys(GBDT_SEARCH_SPACE).map((k) => [k, base[k as keyof GbdtParams] as number]),
  );
  const result = await tpe({
    space,
    seed: tuning.seed,
    nTrials: tuning.numTrials,
    // The configured parameters go first, so tuning can only match or beat them.
    enqueue: [tuneTransform ? { ...configured, seasonalResidual: 1 } : configured],
    objective: async ({ seasonalResidual, ...params }) => {
      const fit = await fitWith({ ...base, ...params }, seasonalResidual === 0 ? undefined : chosen);
      fits.push(fit);
      return validationMae(fit.spec, valid.x, valid.y, valid.n);
    },
  });
  const best = fits[result.best.number]!;
  return {
    spec: best.spec,
    windows: train.n,
    skipped: train.skipped.length,
    bestIteration: best.bestIteration,
    tuning: {
      metric: 'validation_mae_scaled',
      best: { number: result.best.number, params: result.best.params, score: result.best.score },
      trials: result.trials,
    },
  };
}
