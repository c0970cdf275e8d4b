/** Fit a forecaster on rows `[0, trainEnd)` of a frame: pipeline, models, ONNX files, validation, conformal table. */
import type { Conformal } from '../conformal.js';
import { ConfigError, DataError } from '../errors.js';
import { type FittedPipeline, fitPipeline, type PreparedFrame, prepareFrame } from '../features/pipeline.js';
import { windowOrigins } from '../features/windows.js';
import { actualsFor, type EvaluationResult, Forecaster } from '../forecaster.js';
import {
  encodePipelineFile,
  type ForecasterManifest,
  type ModelEntry,
  PIPELINE_FILE,
} from '../forecaster-files.js';
import type { Frame } from '../frame.js';
import { exportModel } from '../models/export.js';
import type { ModelSpec } from '../models/spec.js';
import type { OnnxEngine } from '../onnx/engine.js';
import {
  type ConformalConfig,
  type EnsembleStrategy,
  type IntervalsConfig,
  SPLIT_CONFORMAL,
} from '../schemas/forecaster-config.js';
import { type ModelConfig, modelLabel } from '../schemas/model-config.js';
import type { PipelineConfig } from '../schemas/pipeline-config.js';
import { type TrainingLogger as Logger, type TrainingBackend, trainingBackend } from './backend.js';
import { conformalFromSamples, foldSamples, residualSample } from './cross-conformal.js';
import { fitEnsembleWeights } from './ensemble-weights.js';
import type { TuningRecord } from './gbdt-model.js';
import { type TrainingWindows, trainModel } from './index.js';
import { type TuneOptions, tuneFourierOrders } from './tune-fourier.js';

/** Frame, pipeline config, models, training rows, validation share and ensemble of one fit. */
export interface FitOptions {
  frame: Frame;
  pipelineConfig: PipelineConfig;
  models: readonly ModelConfig[];
  /** Exclusive end row of the training rows; scalers and models see nothing after it. */
  trainEnd: number;
  /** Share of the training rows (the latest) held out for validation, early stopping and conformal intervals. */
  valFraction: number;
  ensemble: EnsembleStrategy;
  engine: OnnxEngine;
  logger: Logger;
  /** Extra facts recorded in pipeline.json under `trained`. */
  trained?: Record<string, unknown>;
  /** Tune tunable models (gbdt, mlp) with TPE on the validation windows, and the Fourier orders when asked. */
  tune?: TuneOptions;
  /** The platform's trainer capabilities (GBDT kernel, threads, holidays). @default the installed ones */
  backend?: TrainingBackend;
  /** Where the conformal residuals come from; default `split` (the validation tail only). */
  conformal?: ConformalConfig;
  /** Serving options recorded in pipeline.json (adaptive intervals). */
  intervals?: IntervalsConfig;
}

/** The fitted checkpoint files, the forecaster loaded from them, and what each model's training did. */
export interface FitResult {
  files: Record<string, Uint8Array>;
  forecaster: Forecaster;
  labels: string[];
  models: Array<{
    label: string;
    kind: string;
    seconds: number;
    windows: number;
    /** The trained model as plain data (what was exported to ONNX). */
    spec: ModelSpec;
    tuning?: TuningRecord;
  }>;
  /** Row where validation starts (= trainEnd when there is none). */
  valStart: number;
  trainWindows: number;
  /** Stride-spaced validation windows, scored like the test split. */
  validation?: EvaluationResult;
  /** The Fourier-order trials, when `tune.fourier` searched them (the chosen orders are the pipeline's). */
  fourierTuning?: TuningRecord;
}

/** Labels of `models`, rejecting two that would collide. */
export function modelLabels(models: readonly ModelConfig[]): string[] {
  const labels = models.map(modelLabel);
  const dup = labels.find((l, i) => labels.indexOf(l) !== i);
  if (dup) {
    throw new ConfigError(`two models share the label "${dup}"; give one a "label"`, [
      { path: 'models', message: `duplicate label "${dup}"` },
    ]);
  }
  return labels;
}

/** The training and validation windows of `n` rows whose training rows end at `trainEnd`. */
export function fitWindows(
  config: PipelineConfig,
  n: number,
  trainEnd: number,
  valFraction: number,
): { valStart: number; fitOrigins: number[]; valOrigins: number[] } {
  const { lookback, horizon, trainStride } = config;
  const valStart = trainEnd - Math.floor(valFraction * trainEnd);
  const fitOrigins = windowOrigins(n, { lookback, horizon, stride: trainStride, last: valStart });
  // Every validation window (stride 1): early stopping and conformal residuals want as many as there are.
  const valOrigins =
    valStart < trainEnd
      ? windowOrigins(n, {
          lookback,
          horizon,
          stride: 1,
          first: Math.max(0, valStart - lookback),
          last: trainEnd,
        })
      : [];
  return { valStart, fitOrigins, valOrigins };
}

/** The error for training rows too few to make one window. */
export function noTrainingWindows(config: PipelineConfig, rows: number): DataError {
  const { lookback, horizon } = config;
  return new DataError(
    `no training windows: the training rows number ${rows}, a window needs ${lookback + horizon} (lookback + horizon)`,
    { rows, lookback, horizon },
  );
}

/**
 * The config with its holiday calendar resolved to dates by the platform's resolver (date-holidays on Node).
 * @throws ConfigError on `holidays` when the calendar has no dates and the platform has no resolver.
 */
function withHolidays(
  config: PipelineConfig,
  time: ArrayLike<number>,
  backend: TrainingBackend,
): PipelineConfig {
  const resolve = backend.resolveHolidays;
  if (resolve) return resolve(config, time);
  if (config.holidays && !config.holidays.dates) {
    throw new ConfigError('holidays: this platform cannot resolve a holiday calendar', [
      {
        path: 'holidays',
        message: 'give holidays.dates and holidays.years, or train where a resolver is installed',
      },
    ]);
  }
  return config;
}

/** Fits the pipeline and every model on the training rows, exports them to ONNX and evaluates them through `engine`. */
export async function fitForecaster(o: FitOptions): Promise<FitResult> {
  const { frame, pipelineConfig, trainEnd, logger: log } = o;
  const labels = modelLabels(o.models);
  const backend = o.backend ?? trainingBackend();
  const { valStart, fitOrigins, valOrigins } = fitWindows(
    pipelineConfig,
    frame.time.length,
    trainEnd,
    o.valFraction,
  );
  if (fitOrigins.length === 0) throw noTrainingWindows(pipelineConfig, valStart);
  const windows = { fit: fitOrigins, validation: valOrigins };
  const prepare = (config: PipelineConfig) => withHolidays(config, frame.time, backend);
  const fourier = o.tune?.fourier;
  let fourierTuning: TuningRecord | undefined;
  let chosen = pipelineConfig;
  if (o.tune && fourier && (fourier.day > 0 || fourier.week > 0 || fourier.year > 0)) {
    if (valOrigins.length === 0) {
      throw new ConfigError('tuning the Fourier orders needs validation windows', [
        {
          path: 'train.split.valFraction',
          message: 'above 0 needed to tune the Fourier orders (train.tuneFourier)',
        },
      ]);
    }
    log.info('tuning the Fourier orders');
    const tuned = await tuneFourierOrders({
      frame,
      pipelineConfig,
      prepare,
      models: o.models,
      labels,
      trainEnd,
      windows,
      tune: { ...o.tune, fourier },
      backend,
    });
    chosen = { ...pipelineConfig, fourier: tuned.orders };
    fourierTuning = tuned.tuning;
    log.info(
      `Fourier orders: day ${tuned.orders.day}, week ${tuned.orders.week}, year ${tuned.orders.year} (best of ${tuned.tuning.trials.length} trials, validation MAE ${tuned.tuning.best.score.toPrecision(4)}, scaled)`,
    );
  }
  const pipeline = fitPipeline(prepare(chosen), frame, trainEnd);
  const prepared = prepareFrame(pipeline, frame);

  const { files, entries, models } = await trainModels(o.models, labels, pipeline, prepared, {
    windows,
    tune: o.tune,
    log,
    backend,
  });
  let manifest: ForecasterManifest = {
    pipeline,
    models: entries,
    ensemble: o.ensemble,
    trained: o.trained ?? {},
    ...(o.intervals?.adaptive ? { intervals: o.intervals } : {}),
  };
  files[PIPELINE_FILE] = encodePipelineFile(manifest);
  let forecaster = await Forecaster.fromFiles(files, o.engine);

  let validation: EvaluationResult | undefined;
  if (valOrigins.length === 0 && (o.ensemble === 'weighted' || o.ensemble === 'best')) {
    throw new ConfigError(`ensemble "${o.ensemble}" is learned on validation windows, and there are none`, [
      { path: 'train.split.valFraction', message: `ensemble "${o.ensemble}" needs validation windows` },
    ]);
  }
  if (valOrigins.length > 0) {
    // Learn the ensemble weights first: the ensemble's validation metrics and conformal residuals depend on them.
    const valBatch = await forecaster.predictOrigins(frame, valOrigins, 'mean');
    const valActual = actualsFor(frame, pipeline, valBatch.origins);
    const nOut = pipelineConfig.horizon * pipelineConfig.target.length;
    manifest = {
      ...manifest,
      ensembleWeights: fitEnsembleWeights(valBatch.predictions, labels, valActual, nOut),
    };
    files[PIPELINE_FILE] = encodePipelineFile(manifest);
    forecaster = await Forecaster.fromFiles(files, o.engine);
    validation = await forecaster.evaluate(frame, valStart, { endRow: trainEnd });
    const conformal = await calibrate(o, {
      forecaster,
      manifest,
      pipeline,
      prepared,
      valStart,
      valOrigins,
    });
    files[PIPELINE_FILE] = encodePipelineFile({ ...manifest, conformal });
    forecaster = await Forecaster.fromFiles(files, o.engine);
  } else {
    log.warn('no validation windows: the checkpoint will have no validation metrics or prediction intervals');
  }
  const out: FitResult = { files, forecaster, labels, models, valStart, trainWindows: fitOrigins.length };
  if (validation) out.validation = validation;
  if (fourierTuning) out.fourierTuning = fourierTuning;
  return out;
}

/** Train every model on the prepared windows and export each to ONNX: the files, pipeline entries and a summary. */
export async function trainModels(
  configs: readonly ModelConfig[],
  labels: readonly string[],
  pipeline: FittedPipeline,
  prepared: PreparedFrame,
  o: {
    windows: TrainingWindows;
    tune?: TuneOptions | undefined;
    log: Logger;
    /** @default the installed TrainingBackend */
    backend?: TrainingBackend;
  },
): Promise<{ files: Record<string, Uint8Array>; entries: ModelEntry[]; models: FitResult['models'] }> {
  const log = o.log;
  const files: Record<string, Uint8Array> = {};
  const entries: ModelEntry[] = [];
  const models: FitResult['models'] = [];
  for (const [i, config] of configs.entries()) {
    const label = labels[i]!;
    log.step(`training ${label}`);
    const trained = await trainModel(config, label, pipeline, prepared, o.windows, o.tune, o.backend);
    if (trained.skipped > 0)
      log.warn(`${label}: skipped ${trained.skipped} training windows with missing values`);
    const file = `${label}.onnx`;
    files[file] = exportModel(trained.spec);
    entries.push({ label, kind: config.name, file, config: { ...config } });
    models.push({
      label,
      kind: config.name,
      seconds: trained.seconds,
      windows: trained.windows,
      spec: trained.spec,
      ...(trained.tuning ? { tuning: trained.tuning } : {}),
    });
    if (trained.tuning) {
      const { best, trials } = trained.tuning;
      log.info(
        `${label}: best of ${trials.length} trials is #${best.number} (validation MAE ${best.score.toPrecision(4)}, scaled)`,
      );
    }
  }
  return { files, entries, models };
}

/**
 * The conformal tables: the final models' residuals on the validation windows, pooled (for `cv_plus`) with those
 * of the models refit at each rolling origin. Each fold costs one more fit of every model.
 */
async function calibrate(
  o: FitOptions,
  fitted: {
    forecaster: Forecaster;
    manifest: ForecasterManifest;
    pipeline: FittedPipeline;
    prepared: PreparedFrame;
    valStart: number;
    valOrigins: number[];
  },
): Promise<Conformal> {
  const { frame, pipelineConfig } = o;
  const tail = await residualSample(fitted.forecaster, frame, fitted.valOrigins, {
    from: fitted.valStart,
    to: o.trainEnd,
  });
  const labels = modelLabels(o.models);
  const config = o.conformal ?? SPLIT_CONFORMAL;
  const folds = await foldSamples(
    {
      series: [
        {
          frame,
          valStart: fitted.valStart,
          offset: 0,
          view: (f) => f,
          windows: (end) => fitWindows(pipelineConfig, frame.time.length, end, o.valFraction),
        },
      ],
      pipeline: fitted.pipeline,
      manifest: fitted.manifest,
      engine: o.engine,
      log: o.logger,
      train: (windows, log) =>
        trainModels(o.models, labels, fitted.pipeline, fitted.prepared, {
          windows,
          log,
          ...(o.backend ? { backend: o.backend } : {}),
        }),
    },
    config,
  );
  const nOut = pipelineConfig.horizon * pipelineConfig.target.length;
  return conformalFromSamples([tail, ...folds.samples[0]!], nOut, {
    count: folds.folds[0]!,
    stride: config.foldStride,
    rescale: config.rescale,
    span: config.span,
  });
}
