/** Training: load → split → fit pipeline → train models → export ONNX → evaluate through ORT → checkpoint. */
import { randomUUID } from 'node:crypto';
import { createOnnxEngine, type OnnxEngine } from '../runtime/onnx/engine.js';
import { tuneOptions } from '../runtime/schemas/forecaster-config.js';
import type { TrainConfigInput } from '../runtime/schemas/train-config.js';
import type { TrainingResult } from '../runtime/training-result.js';
import { FsCheckpointStore } from './fs-store.js';
import { createLogger, type Logger } from './log.js';
import { loadTrainingData } from './training-data.js';
import {
  checkpointFiles,
  evaluateModels,
  fitModels,
  saveModelCheckpoint,
  splitRows,
  trainingResult,
} from './training-steps.js';

export { defaultModels } from './training-data.js';
export { REFERENCE_FILE } from './training-steps.js';

/** A training config, the logger and the inference engine of `train`. */
export interface TrainOptions {
  /** Everything a config file holds; validated with zod. `data.path` is required. */
  config: TrainConfigInput;
  logger?: Logger;
  /** Inference engine for evaluation; one is created (and kept) when absent. */
  engine?: OnnxEngine;
}

/**
 * Train, evaluate and save a checkpoint, without experiment tracking (`trainingFlow` adds it, with
 * retries and structured logs).
 * @example
 * const result = await train({ config: { data: { path: 'ETTh1.csv' }, pipeline: { target: 'OT', timeColumn: 'date' } } });
 * console.log(result.metrics.linear.mae);
 */
export async function train(options: TrainOptions): Promise<TrainingResult> {
  const log = options.logger ?? createLogger({ totalSteps: 4 + (options.config.models?.length ?? 3) });
  log.step('loading data');
  const data = await loadTrainingData(options.config, log);
  const cfg = data.config;
  const model = await fitModels({
    frame: data.frame,
    pipelineConfig: data.pipelineConfig,
    models: data.models,
    split: splitRows(data.frame, cfg.train.split),
    valFraction: cfg.train.split.valFraction,
    ensemble: cfg.train.ensemble,
    conformal: cfg.train.conformal,
    intervals: cfg.train.intervals,
    tune: tuneOptions(cfg.train),
    runId: randomUUID().replaceAll('-', ''),
    source: data.path,
    engine: options.engine ?? createOnnxEngine(),
    log,
  });
  log.step('evaluating through onnxruntime-web');
  const evaluated = await evaluateModels(model);
  log.step('saving checkpoint');
  const store = new FsCheckpointStore(cfg.train.checkpointRoot);
  const saved = await saveModelCheckpoint(
    store,
    cfg.train.name,
    model,
    evaluated,
    checkpointFiles(model, evaluated),
  );
  log.done();
  return trainingResult(model, evaluated, saved, store, { ...data.report }, null);
}
