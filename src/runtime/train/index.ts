/** Train one model config into a model spec. */
import type { FittedPipeline, PreparedFrame } from '../features/pipeline.js';
import type { ModelSpec } from '../models/spec.js';
import type { ModelConfig } from '../schemas/model-config.js';
import type { TrainingBackend } from './backend.js';
import { type TuningRecord, trainGbdtModel } from './gbdt-model.js';
import { trainRidge } from './linear.js';
import { trainMlpModel } from './mlp-model.js';
import { seasonalNaiveSpec } from './seasonal-naive.js';

/** A model trained by `trainModel`: its spec, skipped windows and tuning record. */
export interface TrainedModel {
  spec: ModelSpec;
  windows: number;
  skipped: number;
  seconds: number;
  /** Every tuning trial, when the model was tuned. */
  tuning?: TuningRecord;
}

/** Windows to fit on and (for models that stop early) to validate on, as origin rows. */
export interface TrainingWindows {
  fit: readonly number[];
  validation: readonly number[];
}

/**
 * Trains `config` on the prepared frame's fit windows (GBDT and MLP also early-stop and tune on the validation windows).
 * @param backend the platform's capabilities for GBDT. @default the installed TrainingBackend
 */
export async function trainModel(
  config: ModelConfig,
  label: string,
  p: FittedPipeline,
  f: PreparedFrame,
  windows: TrainingWindows,
  tuning?: { numTrials: number; seed: number },
  backend?: TrainingBackend,
): Promise<TrainedModel> {
  const t0 = performance.now();
  switch (config.name) {
    case 'seasonal_naive':
      return { spec: seasonalNaiveSpec(p, config, label), windows: 0, skipped: 0, seconds: 0 };
    case 'linear': {
      const fit = trainRidge(p, f, windows.fit, { label, alpha: config.alpha });
      return {
        spec: fit.spec,
        windows: fit.windows,
        skipped: fit.skipped.length,
        seconds: (performance.now() - t0) / 1000,
      };
    }
    case 'gbdt':
      return trained(await trainGbdtModel(config, label, p, f, windows, tuning, backend), t0);
    case 'mlp':
      return trained(await trainMlpModel(config, label, p, f, windows, tuning), t0);
  }
}

/** A tunable learner's fit as a `TrainedModel`, timed from `t0`. */
function trained(
  fit: { spec: ModelSpec; windows: number; skipped: number; tuning?: TuningRecord | undefined },
  t0: number,
): TrainedModel {
  const out: TrainedModel = {
    spec: fit.spec,
    windows: fit.windows,
    skipped: fit.skipped,
    seconds: (performance.now() - t0) / 1000,
  };
  if (fit.tuning) out.tuning = fit.tuning;
  return out;
}
