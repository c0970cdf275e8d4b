/** Training: load → split → fit pipeline → train models → export ONNX → evaluate through ORT → checkpoint. */
import { randomUUID } from 'node:crypto';
import { saveCheckpoint } from '../runtime/checkpoint/checkpoint.js';
import { trainingDriftReference } from '../runtime/drift/checkpoint-reference.js';
import type { DriftReference } from '../runtime/drift/reference.js';
import { DataError } from '../runtime/errors.js';
import { requiredColumns } from '../runtime/features/pipeline.js';
import { splitRows } from '../runtime/features/split.js';
import { PIPELINE_FILE, prettyJson } from '../runtime/forecaster-files.js';
import { createOnnxEngine, type OnnxEngine } from '../runtime/onnx/engine.js';
import type { TrainConfigInput } from '../runtime/schemas/train-config.js';
import { formatTimestamp } from '../runtime/time-format.js';
import { metricsToJson, type TrainingResult } from '../runtime/training-result.js';
import { fitForecaster, modelLabels } from './fit.js';
import { FsCheckpointStore } from './fs-store.js';
import { createLogger, type Logger } from './log.js';
import { loadTrainingData } from './training-data.js';

export { defaultModels } from './training-data.js';

export const REFERENCE_FILE = 'reference.json';

export interface TrainOptions {
  /** Everything a config file holds; validated with zod. `data.path` is required. */
  config: TrainConfigInput;
  logger?: Logger;
  /** Inference engine for evaluation; one is created (and kept) when absent. */
  engine?: OnnxEngine;
}

/**
 * Train, evaluate and save a checkpoint.
 * @example
 * const result = await train({ config: { data: { path: 'ETTh1.csv' }, pipeline: { target: 'OT', timeColumn: 'date' } } });
 * console.log(result.metrics.linear.mae);
 */
export async function train(options: TrainOptions): Promise<TrainingResult> {
  const log = options.logger ?? createLogger({ totalSteps: 4 + (options.config.models?.length ?? 3) });
  const runId = randomUUID().replaceAll('-', '');
  log.step('loading data');
  const {
    config: cfg,
    path,
    frame,
    report,
    pipelineConfig,
    models,
  } = await loadTrainingData(options.config, log);
  const labels = modelLabels(models);
  const split = splitRows(frame, cfg.train.split);
  const testStart = formatTimestamp(frame.time[split.testStart]!);
  const engine = options.engine ?? createOnnxEngine();
  const fit = await fitForecaster({
    frame,
    pipelineConfig,
    models,
    trainEnd: split.trainEnd,
    valFraction: cfg.train.split.valFraction,
    ensemble: cfg.train.ensemble,
    engine,
    logger: log,
    ...(cfg.train.tune ? { tune: { numTrials: cfg.train.numTrials, seed: cfg.train.seed } } : {}),
    trained: {
      run_id: runId,
      data: path,
      first: formatTimestamp(frame.time[0]!),
      last: formatTimestamp(frame.time[frame.time.length - 1]!),
      train_end: formatTimestamp(frame.time[split.trainEnd - 1]!),
      test_start: testStart,
    },
  });
  log.info(
    `split: ${split.rule}; ${split.trainEnd} train rows (${split.trainEnd - fit.valStart} for validation), ${frame.time.length - split.testStart} test rows; ${fit.trainWindows} training windows`,
  );

  const tuning = fit.models.filter((m) => m.tuning);
  log.step('evaluating through onnxruntime-web');
  const test = await fit.forecaster.evaluate(frame, split.testStart);
  if (test.batch.origins.length === 0) {
    throw new DataError(
      `no complete test windows after ${testStart}: the test split needs ${pipelineConfig.horizon} rows`,
      { horizon: pipelineConfig.horizon },
    );
  }
  const metrics = metricsToJson(test.metrics);
  const validationMetrics = fit.validation ? metricsToJson(fit.validation.metrics) : {};
  const files = {
    ...fit.files,
    [REFERENCE_FILE]: encodeReference(
      pipelineConfig.target,
      validationMetrics,
      metrics,
      trainingDriftReference(frame, requiredColumns(pipelineConfig), split.trainEnd),
    ),
  };

  log.step('saving checkpoint');
  const store = new FsCheckpointStore(cfg.train.checkpointRoot);
  const saved = await saveCheckpoint(store, cfg.train.name, files, {
    modelType: `ensemble[${labels.join(',')}]`,
    checkpointFile: PIPELINE_FILE,
    metrics: finiteOnly(metrics),
    extra: { run_id: runId },
  });
  log.done();
  return {
    checkpoint_path: store.describe(saved.key),
    run_id: runId,
    version: saved.version,
    metrics,
    validation_metrics: validationMetrics,
    split: {
      rule: split.rule,
      train_rows: split.trainEnd,
      test_rows: frame.time.length - split.testStart,
      train_windows: fit.trainWindows,
      validation_windows: fit.validation?.batch.origins.length ?? 0,
      test_windows: test.batch.origins.length,
      test_start: testStart,
    },
    models: fit.models.map(({ label, kind, seconds, windows }) => ({ label, kind, seconds, windows })),
    ...(tuning.length > 0 ? { tuning: Object.fromEntries(tuning.map((m) => [m.label, m.tuning!])) } : {}),
    data: { ...report },
  };
}

function finiteOnly(
  metrics: Record<string, Record<string, number | null>>,
): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const [model, m] of Object.entries(metrics)) {
    out[model] = {};
    for (const [k, v] of Object.entries(m)) if (v !== null) out[model][k] = v;
  }
  return out;
}

function encodeReference(
  targets: string[],
  validation: Record<string, unknown>,
  test: Record<string, unknown>,
  drift: DriftReference,
): Uint8Array {
  const json = {
    format_version: 1,
    targets,
    validation_metrics: validation,
    test_metrics: test,
    drift,
  };
  return new TextEncoder().encode(`${prettyJson(json)}\n`);
}
