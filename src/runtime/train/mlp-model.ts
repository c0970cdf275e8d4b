/** The `mlp` model: windows → an MLP over every horizon step, optionally tuned with TPE on the validation windows. */

import { DataError } from '../errors.js';
import type { FittedPipeline, PreparedFrame } from '../features/pipeline.js';
import { predictMlp } from '../models/mlp.js';
import type { MlpSpec } from '../models/spec.js';
import type { MlpConfig } from '../schemas/model-config.js';
import { TRANSFORM_KNOB, type TuningRecord, targetTransform } from './gbdt-model.js';
import type { TrainingWindows } from './index.js';
import { type MlpData, type MlpParams, trainMlp } from './mlp.js';
import { type TargetTransform, transformedData, transformFields } from './residual-data.js';
import { type SearchSpace, tpe } from './tpe.js';
import { windowMatrix } from './window-matrix.js';

/** What TPE searches: the hidden width (every hidden layer), Adam's step size and the weight decay. */
export const MLP_SEARCH_SPACE: SearchSpace = {
  width: { type: 'int', low: 16, high: 256, log: true },
  learningRate: { type: 'float', low: 1e-4, high: 1e-2, log: true },
  weightDecay: { type: 'float', low: 1e-6, high: 1e-1, log: true },
};

/** A fitted MLP model: its spec, windows used and skipped, and the tuning trials when tuned. */
export interface MlpModelFit {
  spec: MlpSpec;
  windows: number;
  skipped: number;
  tuning?: TuningRecord;
}

function paramsOf(config: MlpConfig): MlpParams {
  const {
    hidden,
    epochs,
    learningRate,
    batchSize,
    patience,
    weightDecay,
    seed,
    loss,
    skip,
    batchesPerEpoch,
  } = config;
  return {
    hidden,
    epochs,
    learningRate,
    batchSize,
    patience,
    weightDecay,
    seed,
    loss,
    skip,
    ...(batchesPerEpoch === 0 ? {} : { batchesPerEpoch }),
  };
}

/** Validation MAE of a spec (target scaler's space): the TPE objective. */
function validationMae(spec: MlpSpec, x: Float64Array, y: Float64Array, n: number): number {
  const pred = predictMlp(spec, x, n);
  let sum = 0;
  for (let i = 0; i < pred.length; i++) sum += Math.abs(pred[i]! - y[i]!);
  return sum / pred.length;
}

/** Trains an MLP on the fit windows, early-stopping on the validation windows (and tuning on them when asked). */
export async function trainMlpModel(
  config: MlpConfig,
  label: string,
  p: FittedPipeline,
  f: PreparedFrame,
  windows: TrainingWindows,
  tuning?: { numTrials: number; seed: number },
): Promise<MlpModelFit> {
  const train = windowMatrix(p, f, windows.fit);
  const valid = windowMatrix(p, f, windows.validation);
  if (train.n === 0) throw new DataError(`${label}: no complete training windows`, { model: label });
  const io = { nFeatures: p.layout.nFeatures, horizon: p.config.horizon, nTargets: p.config.target.length };
  const chosen = targetTransform(config, label, p, train);
  // One data object per transform (tuning may try both): built once each.
  const datasets = new Map<TargetTransform | undefined, MlpData>();
  const data = (transform: TargetTransform | undefined): MlpData => {
    if (!datasets.has(transform)) datasets.set(transform, transformedData(train, valid, io, transform));
    return datasets.get(transform)!;
  };
  const layout = { label, horizon: p.config.horizon, nTargets: p.config.target.length };
  // The net fits the transformed target; the spec undoes the transform, so its predictions are the targets'.
  const fitWith = (params: MlpParams, transform = chosen): MlpSpec => ({
    ...trainMlp(data(transform), params, layout).spec,
    ...transformFields(transform),
  });
  const base = paramsOf(config);
  const common = { windows: train.n, skipped: train.skipped.length };
  if (!tuning) return { spec: fitWith(base), ...common };
  if (valid.n === 0) {
    throw new DataError(`${label}: tuning needs validation windows; set a validation fraction above 0`, {
      model: label,
    });
  }
  // Keep each trial's model: the best one is the result, with no refit. The width applies to every hidden layer.
  const specs: MlpSpec[] = [];
  const configured = {
    width: base.hidden[0]!,
    learningRate: base.learningRate,
    weightDecay: base.weightDecay,
  };
  // With `auto` and a season the lookback covers, the transform is a knob too (1 = seasonal_residual), as for GBDT.
  const tuneTransform = config.transform === 'auto' && chosen !== undefined;
  const result = await tpe({
    space: tuneTransform ? { ...MLP_SEARCH_SPACE, ...TRANSFORM_KNOB } : MLP_SEARCH_SPACE,
    seed: tuning.seed,
    nTrials: tuning.numTrials,
    // The configured parameters go first, so tuning can only match or beat them.
    enqueue: [tuneTransform ? { ...configured, seasonalResidual: 1 } : configured],
    objective: ({ width, learningRate, weightDecay, seasonalResidual }) => {
      const params = {
        ...base,
        hidden: base.hidden.map(() => width!),
        learningRate: learningRate!,
        weightDecay: weightDecay!,
      };
      const spec = fitWith(params, seasonalResidual === 0 ? undefined : chosen);
      specs.push(spec);
      return validationMae(spec, valid.x, valid.y, valid.n);
    },
  });
  return {
    spec: specs[result.best.number]!,
    ...common,
    tuning: {
      metric: 'validation_mae_scaled',
      best: { number: result.best.number, params: result.best.params, score: result.best.score },
      trials: result.trials,
    },
  };
}
