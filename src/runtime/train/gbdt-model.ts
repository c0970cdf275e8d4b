/** The `gbdt` model: windows → histogram GBDT per horizon step, optionally tuned with TPE on the validation windows. */

import { ConfigError, DataError } from '../errors.js';
import type { FittedPipeline, PreparedFrame } from '../features/pipeline.js';
import { seasonalNaiveIndices } from '../models/seasonal-naive.js';
import type { GbdtSpec } from '../models/spec.js';
import type { GbdtConfig } from '../schemas/model-config.js';
import type { TrainingBackend } from './backend.js';
import { type GbdtFit, type GbdtParams, predictGbdt, trainGbdt } from './gbdt/index.js';
import type { TrainingWindows } from './index.js';
import { transformedData } from './residual-data.js';
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

/**
 * The lag feature each output's residual is taken over, for `seasonal_residual` (and for `auto` when the lookback
 * covers the season); `undefined` for `none`.
 * @throws ConfigError when `seasonal_residual` is asked for a season the lookback does not cover.
 */
export function residualIndices(
  config: Pick<GbdtConfig, 'transform' | 'season'>,
  label: string,
  p: FittedPipeline,
): Int32Array | undefined {
  if (config.transform === 'none') return undefined;
  try {
    return seasonalNaiveIndices(
      seasonalNaiveSpec(p, { name: 'seasonal_naive', season: config.season }, label),
    );
  } catch (error) {
    if (config.transform === 'auto' && error instanceof ConfigError) return undefined;
    throw error;
  }
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
  const F = p.layout.nFeatures;
  const O = p.config.horizon * p.config.target.length;
  const residualOf = residualIndices(config, label, p);
  // One data object per transform: the trainer caches its bins per object, so tuning bins each once.
  const dataFor = (residual: Int32Array | undefined) => transformedData(train, valid, F, O, residual);
  const datasets = new Map<Int32Array | undefined, ReturnType<typeof dataFor>>();
  const data = (residual: Int32Array | undefined) => {
    if (!datasets.has(residual)) datasets.set(residual, dataFor(residual));
    return datasets.get(residual)!;
  };
  const layout = {
    label,
    horizon: p.config.horizon,
    nTargets: p.config.target.length,
    ...(backend ? { backend } : {}),
  };
  const base = paramsOf(config);
  // The trees fit the residual; the spec adds the seasonal lag back, so its predictions are the targets'.
  const fitWith = async (params: Partial<GbdtParams>, residual = residualOf) => {
    const fit = await trainGbdt(data(residual), params, layout);
    if (residual) fit.spec = { ...fit.spec, residualOf: residual };
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
  const tuneTransform = config.transform === 'auto' && residualOf !== undefined;
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
      const fit = await fitWith({ ...base, ...params }, seasonalResidual === 0 ? undefined : residualOf);
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
