/**
 * Tuning the pipeline's Fourier orders: a knob of the features every model shares, so each TPE trial refits the
 * pipeline and trains every model once (configured parameters), scored on the validation windows.
 */
import { fitPipeline, prepareFrame } from '../features/pipeline.js';
import type { Frame } from '../frame.js';
import { predictInMemory } from '../models/export.js';
import type { ModelConfig } from '../schemas/model-config.js';
import type { FourierOrders, PipelineConfig } from '../schemas/pipeline-config.js';
import type { TrainingBackend } from './backend.js';
import type { TuningRecord } from './gbdt-model.js';
import { type TrainingWindows, trainModel } from './index.js';
import { type SearchSpace, tpe } from './tpe.js';
import { windowMatrix } from './window-matrix.js';

const CYCLES = ['day', 'week', 'year'] as const;

/** Where a training result's `tuning` keeps the Fourier-order trials (beside the tuned models' labels). */
export const FOURIER_TUNING_KEY = 'pipeline.fourier';

/** What `tune` does: trials per tuned model, the seed, and (optionally) the most Fourier order searched per cycle. */
export interface TuneOptions {
  numTrials: number;
  seed: number;
  /** Most order per cycle the Fourier search may pick; absent, the pipeline's orders are kept. */
  fourier?: FourierOrders | undefined;
}

/**
 * The Fourier orders (within `most`, the configured ones tried first) whose models score the lowest mean validation
 * MAE (target scaler's space, averaged over the models), and the trials as a tuning record.
 * @param prepare the pipeline config as the fit will use it (holidays resolved), given the orders.
 */
export async function tuneFourierOrders(o: {
  frame: Frame;
  pipelineConfig: PipelineConfig;
  prepare: (config: PipelineConfig) => PipelineConfig;
  models: readonly ModelConfig[];
  labels: readonly string[];
  trainEnd: number;
  windows: TrainingWindows;
  tune: TuneOptions & { fourier: FourierOrders };
  backend?: TrainingBackend | undefined;
}): Promise<{ orders: FourierOrders; tuning: TuningRecord }> {
  const configured = o.pipelineConfig.fourier;
  const space: SearchSpace = {};
  for (const c of CYCLES) {
    const high = Math.max(o.tune.fourier[c], configured[c]);
    if (high > 0) space[c] = { type: 'int', low: 0, high };
  }
  const ordersOf = (p: Record<string, number>): FourierOrders => ({
    day: p['day'] ?? 0,
    week: p['week'] ?? 0,
    year: p['year'] ?? 0,
  });
  // TPE may propose the same integers twice: each set of orders is trained once.
  const scored = new Map<string, number>();
  const result = await tpe({
    space,
    seed: o.tune.seed,
    nTrials: o.tune.numTrials,
    enqueue: [Object.fromEntries(Object.keys(space).map((c) => [c, configured[c as keyof FourierOrders]]))],
    objective: async (params) => {
      const orders = ordersOf(params);
      const key = JSON.stringify(orders);
      const known = scored.get(key);
      if (known !== undefined) return known;
      const pipeline = fitPipeline(o.prepare({ ...o.pipelineConfig, fourier: orders }), o.frame, o.trainEnd);
      const prepared = prepareFrame(pipeline, o.frame);
      const valid = windowMatrix(pipeline, prepared, o.windows.validation);
      let total = 0;
      for (const [i, config] of o.models.entries()) {
        const { spec } = await trainModel(
          config,
          o.labels[i]!,
          pipeline,
          prepared,
          o.windows,
          undefined,
          o.backend,
        );
        const pred = predictInMemory(spec, valid.x, valid.n);
        let sum = 0;
        for (let k = 0; k < pred.length; k++) sum += Math.abs(pred[k]! - valid.y[k]!);
        total += sum / pred.length;
      }
      const score = total / o.models.length;
      scored.set(key, score);
      return score;
    },
  });
  return {
    orders: ordersOf(result.best.params),
    tuning: {
      metric: 'validation_mae_scaled',
      best: { number: result.best.number, params: result.best.params, score: result.best.score },
      trials: result.trials,
    },
  };
}
