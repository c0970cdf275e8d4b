/**
 * The steps of a training run — fit, evaluate on the test split, build and save the checkpoint — shared by
 * `train()` and the training and retraining flows, so each composes them without repeating them.
 */
import { type SaveResult, saveCheckpoint } from '../checkpoint/checkpoint.js';
import type { CheckpointStore } from '../checkpoint/store.js';
import { REFERENCE_FILE, trainingDriftReference } from '../drift/checkpoint-reference.js';
import type { DriftReference } from '../drift/reference.js';
import { DataError } from '../errors.js';
import { requiredColumns } from '../features/pipeline.js';
import { type SplitRows, splitRows } from '../features/split.js';
import type { EvaluationResult } from '../forecaster.js';
import { PIPELINE_FILE, prettyJson } from '../forecaster-files.js';
import type { Frame } from '../frame.js';
import type { OnnxEngine } from '../onnx/engine.js';
import type { ConformalConfig, EnsembleStrategy, IntervalsConfig } from '../schemas/forecaster-config.js';
import type { ModelConfig } from '../schemas/model-config.js';
import type { PipelineConfig } from '../schemas/pipeline-config.js';
import { formatTimestamp } from '../time-format.js';
import { type MetricsByModel, metricsToJson, type TrainingResult } from '../training-result.js';
import type { TrainingLogger as Logger, TrainingBackend } from './backend.js';
import { type FitResult, fitForecaster, modelLabels } from './fit.js';
import { FOURIER_TUNING_KEY, type TuneOptions } from './tune-fourier.js';

export { REFERENCE_FILE };

/** What a fit needs: the frame, its pipeline and models, and where training ends. */
export interface FitInput {
  frame: Frame;
  pipelineConfig: PipelineConfig;
  models: readonly ModelConfig[];
  split: SplitRows;
  valFraction: number;
  ensemble: EnsembleStrategy;
  tune?: TuneOptions | undefined;
  /** Where the conformal residuals come from (default `split`). */
  conformal?: ConformalConfig | undefined;
  /** Serving options recorded in pipeline.json. */
  intervals?: IntervalsConfig | undefined;
  /** Recorded in pipeline.json `trained` (with first/last/train_end/test_start). */
  runId: string;
  /** Where the data came from, recorded in pipeline.json. */
  source: string;
  engine: OnnxEngine;
  log: Logger;
  /** The platform's trainer capabilities. @default the installed TrainingBackend */
  backend?: TrainingBackend;
}

/** A fit and the input it came from (what `evaluateModels` and `checkpointFiles` take). */
export interface FittedModel {
  input: FitInput;
  fit: FitResult;
  labels: string[];
}

/** Test and validation metrics of a fitted forecaster. */
export interface Evaluated {
  /** Test-split metrics by model (and ensemble). */
  metrics: MetricsByModel;
  validationMetrics: MetricsByModel;
  testWindows: number;
  /** The test split's forecasts and actuals (per-series fleet scores need the actuals). */
  test: EvaluationResult;
}

/** Split rows by the training config's rule (train end / test start dates, or fractions). */
export { splitRows };

/** Fit pipeline and models on rows before `split.trainEnd` (tuning when asked). */
export async function fitModels(input: FitInput): Promise<FittedModel> {
  const { frame, split } = input;
  const labels = modelLabels(input.models);
  const fit = await fitForecaster({
    frame,
    pipelineConfig: input.pipelineConfig,
    models: input.models,
    trainEnd: split.trainEnd,
    valFraction: input.valFraction,
    ensemble: input.ensemble,
    engine: input.engine,
    logger: input.log,
    ...(input.tune ? { tune: input.tune } : {}),
    ...(input.backend ? { backend: input.backend } : {}),
    ...(input.conformal ? { conformal: input.conformal } : {}),
    ...(input.intervals ? { intervals: input.intervals } : {}),
    trained: {
      run_id: input.runId,
      data: input.source,
      val_fraction: input.valFraction,
      first: formatTimestamp(frame.time[0]!),
      last: formatTimestamp(frame.time[frame.time.length - 1]!),
      train_end: formatTimestamp(frame.time[split.trainEnd - 1]!),
      test_start: formatTimestamp(frame.time[split.testStart]!),
    },
  });
  input.log.info(
    `split: ${split.rule}; ${split.trainEnd} train rows (${split.trainEnd - fit.valStart} for validation), ${frame.time.length - split.testStart} test rows; ${fit.trainWindows} training windows`,
  );
  return { input, fit, labels };
}

/** Score the fitted forecaster on the test split through onnxruntime-web. */
export async function evaluateModels(model: FittedModel): Promise<Evaluated> {
  const { frame, split, pipelineConfig } = model.input;
  const test = await model.fit.forecaster.evaluate(frame, split.testStart);
  if (test.batch.origins.length === 0) {
    throw new DataError(
      `no complete test windows after ${formatTimestamp(frame.time[split.testStart]!)}: the test split needs ${pipelineConfig.horizon} rows`,
      { horizon: pipelineConfig.horizon },
    );
  }
  return {
    metrics: metricsToJson(test.metrics),
    validationMetrics: model.fit.validation ? metricsToJson(model.fit.validation.metrics) : {},
    testWindows: test.batch.origins.length,
    test,
  };
}

/** The checkpoint's files: the fit's (pipeline.json, *.onnx) and reference.json (metrics and drift sample). */
export function checkpointFiles(model: FittedModel, evaluated: Evaluated): Record<string, Uint8Array> {
  const { frame, pipelineConfig, split } = model.input;
  return {
    ...model.fit.files,
    [REFERENCE_FILE]: encodeReference(
      pipelineConfig.target,
      evaluated.validationMetrics,
      evaluated.metrics,
      trainingDriftReference(frame, requiredColumns(pipelineConfig), split.trainEnd),
    ),
  };
}

/**
 * Save the files as a new version of `name`. With `activate` (default) the manifest points at it at once
 * (compare-and-swap, re-read on a lost race); without, promote it later with `promote`.
 */
export function saveModelCheckpoint(
  store: CheckpointStore,
  name: string,
  model: FittedModel,
  evaluated: Evaluated,
  files: Record<string, Uint8Array>,
  options: { activate?: boolean } = {},
): Promise<SaveResult> {
  return saveCheckpoint(
    store,
    name,
    files,
    {
      modelType: `ensemble[${model.labels.join(',')}]`,
      checkpointFile: PIPELINE_FILE,
      metrics: finiteOnly(evaluated.metrics),
      extra: { run_id: model.input.runId },
    },
    { activate: options.activate ?? true },
  );
}

/** The TrainingResult of a fitted, evaluated and saved model. */
export function trainingResult(
  model: FittedModel,
  evaluated: Evaluated,
  saved: SaveResult,
  store: CheckpointStore,
  data: Record<string, unknown>,
  mlflowRunId: string | null,
): TrainingResult {
  const { frame, split } = model.input;
  const { fit } = model;
  const tuning = fit.models.filter((m) => m.tuning);
  return {
    checkpoint_path: store.describe(saved.key),
    run_id: model.input.runId,
    mlflow_run_id: mlflowRunId,
    version: saved.version,
    metrics: evaluated.metrics,
    validation_metrics: evaluated.validationMetrics,
    split: {
      rule: split.rule,
      train_rows: split.trainEnd,
      test_rows: frame.time.length - split.testStart,
      train_windows: fit.trainWindows,
      validation_windows: fit.validation?.batch.origins.length ?? 0,
      test_windows: evaluated.testWindows,
      test_start: formatTimestamp(frame.time[split.testStart]!),
    },
    models: fit.models.map(({ label, kind, seconds, windows }) => ({ label, kind, seconds, windows })),
    ...(tuning.length > 0 || fit.fourierTuning
      ? {
          tuning: {
            ...Object.fromEntries(tuning.map((m) => [m.label, m.tuning!])),
            // Not a model label (labels have no dot): the pipeline's Fourier-order search.
            ...(fit.fourierTuning ? { [FOURIER_TUNING_KEY]: fit.fourierTuning } : {}),
          },
        }
      : {}),
    data,
  };
}

/** Metrics without their nulls, as the manifest stores them. */
export function finiteOnly(metrics: MetricsByModel): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const [model, m] of Object.entries(metrics)) {
    out[model] = {};
    for (const [k, v] of Object.entries(m)) if (v !== null) out[model][k] = v;
  }
  return out;
}

/**
 * reference.json bytes: the targets, validation and test metrics, and the drift reference.
 * @param seriesDrift a global model's per-series drift samples (`series_drift`).
 */
export function encodeReference(
  targets: string[],
  validation: Record<string, unknown>,
  test: Record<string, unknown>,
  drift: DriftReference,
  seriesDrift?: Record<string, DriftReference>,
): Uint8Array {
  const json = {
    format_version: 1,
    targets,
    validation_metrics: validation,
    test_metrics: test,
    drift,
    ...(seriesDrift ? { series_drift: seriesDrift } : {}),
  };
  return new TextEncoder().encode(`${prettyJson(json)}\n`);
}
