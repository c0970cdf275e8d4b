/** Train one model config into a model spec. */
import type { FittedPipeline, PreparedFrame } from '../../runtime/features/pipeline.js';
import type { ModelSpec } from '../../runtime/models/spec.js';
import type { ModelConfig } from '../../runtime/schemas/model-config.js';
import { trainRidge } from './linear.js';
import { seasonalNaiveSpec } from './seasonal-naive.js';

export interface TrainedModel {
  spec: ModelSpec;
  windows: number;
  skipped: number;
  seconds: number;
}

export function trainModel(
  config: ModelConfig,
  label: string,
  p: FittedPipeline,
  f: PreparedFrame,
  origins: readonly number[],
): TrainedModel {
  const t0 = performance.now();
  switch (config.name) {
    case 'seasonal_naive':
      return { spec: seasonalNaiveSpec(p, config, label), windows: 0, skipped: 0, seconds: 0 };
    case 'linear': {
      const fit = trainRidge(p, f, origins, { label, alpha: config.alpha });
      return {
        spec: fit.spec,
        windows: fit.windows,
        skipped: fit.skipped.length,
        seconds: (performance.now() - t0) / 1000,
      };
    }
  }
}
