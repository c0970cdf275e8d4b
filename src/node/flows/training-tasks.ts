/** The tasks a training run is made of, used by the training flow and (fit, evaluate, save) the retraining flow. */
import type { CheckpointStore } from '../../runtime/checkpoint/store.js';
import type { TrainConfigInput } from '../../runtime/schemas/train-config.js';
import { loadTrainingData } from '../training-data.js';
import {
  type Evaluated,
  evaluateModels,
  type FitInput,
  type FittedModel,
  fitModels,
  saveModelCheckpoint,
} from '../training-steps.js';
import { task } from './task.js';

/** Load and repair the data file; resolve pipeline and models. */
export const loadDataTask = task('load-data', async (input: { config: TrainConfigInput }, { log }) =>
  loadTrainingData(input.config, log.logger('load-data')),
);

/** Fit the pipeline and models (tuning when asked). */
export const fitTask = task('fit', async (input: FitInput) => fitModels(input));

/** Score on the test split through onnxruntime-web. */
export const evaluateTask = task('evaluate', evaluateModels);

/** Save the checkpoint; a failed save removes its partial version before the retry. */
export const saveCheckpointTask = task(
  'save-checkpoint',
  async (input: {
    store: CheckpointStore;
    name: string;
    model: FittedModel;
    evaluated: Evaluated;
    files: Record<string, Uint8Array>;
    activate: boolean;
  }) =>
    saveModelCheckpoint(input.store, input.name, input.model, input.evaluated, input.files, {
      activate: input.activate,
    }),
);
