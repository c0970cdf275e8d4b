/**
 * What a retraining run reuses from the incumbent — its pipeline, models, ensemble and validation share —
 * and where its holdout starts: one rule for the Node retraining flow and the edge fit.
 */
import { ConfigError } from '../errors.js';
import type { Forecaster } from '../forecaster.js';
import {
  type ConformalConfig,
  type EnsembleStrategy,
  type IntervalsConfig,
  SPLIT_CONFORMAL,
} from '../schemas/forecaster-config.js';
import { type ModelConfig, ModelConfigSchema } from '../schemas/model-config.js';
import type { PipelineConfig } from '../schemas/pipeline-config.js';

/** What the candidate is trained with: the incumbent's pipeline and models, or the config's. */
export interface RetrainSpec {
  pipelineConfig: PipelineConfig;
  models: ModelConfig[];
  ensemble: EnsembleStrategy;
  valFraction: number;
  /** How the incumbent's intervals were calibrated (split or CV+ with its folds), to calibrate alike. */
  conformal: ConformalConfig;
  /** The incumbent's serving options of the intervals (adaptive conformal), kept for the candidate. */
  intervals?: IntervalsConfig;
  from: string;
}

/** The calibration a checkpoint's conformal table records; a table from before CV+ (or none) is `split`. */
function conformalOf(forecaster: Forecaster): ConformalConfig {
  const c = forecaster.manifest.conformal;
  if (c?.method !== 'cv-plus-absolute-residual') {
    return SPLIT_CONFORMAL;
  }
  return {
    method: 'cv_plus',
    folds: c.folds ?? 4,
    foldStride: c.fold_stride ?? 1,
    rescale: c.rescaled ?? false,
    span: c.fold_span ?? 'second_half',
  };
}

/**
 * The incumbent's pipeline, models, ensemble and calibration method, from its pipeline.json (the conformal
 * tables themselves are refitted on the candidate's own windows).
 * @throws ConfigError naming the model when one was not trained by twiga-edge.
 */
export function specOfIncumbent(forecaster: Forecaster, path: string): RetrainSpec {
  const models = forecaster.manifest.models.map((m, i) => {
    const parsed = ModelConfigSchema.safeParse(m.config);
    if (!parsed.success) {
      throw new ConfigError(
        `model "${m.label}" of ${path} (${m.kind}) was not trained by twiga-edge and cannot be retrained; pass a training config`,
        [{ path: `models[${i}]`, message: `${m.kind} is not retrainable` }],
      );
    }
    return parsed.data;
  });
  const valFraction = forecaster.manifest.trained?.['val_fraction'];
  return {
    pipelineConfig: forecaster.pipeline.config,
    models,
    ensemble: forecaster.manifest.ensemble,
    valFraction: typeof valFraction === 'number' ? valFraction : 0.1,
    conformal: conformalOf(forecaster),
    ...(forecaster.manifest.intervals ? { intervals: forecaster.manifest.intervals } : {}),
    from: `incumbent ${path}`,
  };
}

/**
 * Boosting rounds a retrain of these models costs, for the hand-off estimate: each GBDT's `numTrees`,
 * 1 for each closed-form model (seasonal naive, ridge); a config that does not parse counts 1.
 * @example
 * fitRounds([{ config: { name: 'linear' } }, { config: { name: 'gbdt', numTrees: 200 } }]); // 201
 */
export function fitRounds(models: ReadonlyArray<{ config?: unknown }>): number {
  let rounds = 0;
  for (const m of models) {
    const parsed = ModelConfigSchema.safeParse(m.config);
    rounds += parsed.success && parsed.data.name === 'gbdt' ? parsed.data.numTrees : 1;
  }
  return Math.max(1, rounds);
}

/** The share of the current window (its latest rows) held out to compare candidate and incumbent. */
export const DEFAULT_HOLDOUT_FRACTION = 0.3;

/**
 * First holdout row: the last `holdoutFraction` of the current window (rows `[currentStart, rows)`), cut at
 * a whole number of horizons from the window's start so holdout forecasts start at the time of day it does.
 * @throws ConfigError on `holdoutFraction` when the holdout is shorter than the horizon.
 */
export function holdoutStart(input: {
  currentStart: number;
  rows: number;
  horizon: number;
  holdoutFraction: number;
}): number {
  const { currentStart, rows, horizon, holdoutFraction } = input;
  const currentRows = rows - currentStart;
  const start = currentStart + Math.floor((currentRows * (1 - holdoutFraction)) / horizon) * horizon;
  const holdoutRows = rows - start;
  if (holdoutRows < horizon) {
    throw new ConfigError(
      `the holdout (the last ${Math.round(holdoutFraction * 100)}% of the current window, ${holdoutRows} rows) is shorter than the horizon (${horizon} rows): pass a longer current window or a larger holdoutFraction`,
      [{ path: 'holdoutFraction', message: `holds ${holdoutRows} rows, the horizon needs ${horizon}` }],
    );
  }
  return start;
}
