/** twiga-edge/runtime: the isomorphic core — configs, features, metrics, ONNX export and inference, checkpoints. */
export {
  type AciObservation,
  type AciOptions,
  AciOptionsSchema,
  type AciState,
  AciStateSchema,
  aciHalfWidths,
  aciLevel,
  aciUpdate,
  initialAciState,
  readAciState,
  updateAciState,
} from './aci.js';
export { addDuration, isDuration } from './calendar-duration.js';
export * from './checkpoint/index.js';
export {
  CONFORMAL_GRID,
  type Conformal,
  ConformalSchema,
  conformalQuantile,
  conformalTable,
  halfWidth,
} from './conformal.js';
// Drift statistics and detection (WASM core)
export * from './drift/index.js';
export {
  ENGINE_CHOICES,
  type EngineChoice,
  type EngineName,
  type InferenceEngine,
  type InferenceSession,
  type ModelIONames,
} from './engine/contract.js';
export { type EngineSetup, selectEngine } from './engine/select.js';
export { combine } from './ensemble.js';
export * from './errors.js';
export {
  calendarFeatureNames,
  calendarMatrix,
  calendarWidth,
  createCalendarEncoder,
} from './features/calendar.js';
export { buildLayout, type FeatureBlock, type FeatureLayout, featureName } from './features/layout.js';
export {
  buildFeatures,
  type FittedPipeline,
  fitPipeline,
  type PreparedFrame,
  pipelineFromJson,
  pipelineToJson,
  prepareFrame,
  requiredColumns,
  type WindowBatch,
} from './features/pipeline.js';
export {
  fitScaler,
  inverseTransform,
  type ScalerParams,
  ScalerParamsSchema,
  transform,
} from './features/scalers.js';
export { parseDateBound, type SplitRows, splitRows } from './features/split.js';
export { originsFrom, windowOrigins } from './features/windows.js';
export * from './fleet/index.js';
export * from './flows/index.js';
export { type ForecastJson, type ForecastOptions, forecastLatest, forecastToJson } from './forecast-json.js';
export {
  actualsFor,
  ENSEMBLE_LABEL,
  type EvaluationResult,
  type ForecastBatch,
  Forecaster,
  type Intervals,
  levelKey,
} from './forecaster.js';
export {
  decodePipelineFile,
  encodePipelineFile,
  type ForecasterManifest,
  type ModelEntry,
  PIPELINE_FILE,
} from './forecaster-files.js';
export { appendFrame, type Frame, lowerBound, sliceFrame } from './frame.js';
export { ARROW_MEDIA_TYPES, columnsFromArrowIpc } from './input/arrow.js';
export {
  type ColumnsInput,
  type FrameOptions,
  frameFromColumns,
  frameFromRecords,
  type PathStyle,
  parseTimestamp,
  recordsToColumns,
} from './input/frame-input.js';
export { createLeanEngine, type LeanEngineOptions } from './lean/engine.js';
export { SUPPORTED_OPERATORS } from './lean/graph.js';
export { jsLeanKernels, type LeanKernels } from './lean/kernels.js';
export { isUnsupportedGraph, UnsupportedGraphError } from './lean/unsupported.js';
export { type LeanWasmSource, loadLeanWasm } from './lean/wasm.js';
export {
  computeMetrics,
  corr,
  METRIC_DEFINITIONS,
  type Metrics,
  mae,
  nbias,
  rmse,
  smape,
  wmape,
} from './metrics.js';
export { exportModel, predictInMemory } from './models/export.js';
export { gbdtToOnnx, predictGbdtSpec } from './models/gbdt.js';
export { linearToOnnx, predictLinear } from './models/linear.js';
export { mlpToOnnx, predictMlp } from './models/mlp.js';
export { predictSeasonalNaive, seasonalNaiveIndices, seasonalNaiveToOnnx } from './models/seasonal-naive.js';
export type {
  DenseLayer,
  GbdtSpec,
  LinearSpec,
  MlpSpec,
  ModelSpec,
  SeasonalNaiveSpec,
  WindowNorm,
} from './models/spec.js';
export { createOnnxEngine, type OnnxEngine, type OnnxEngineOptions, type OnnxModel } from './onnx/engine.js';
export { parsePeriod, tryParsePeriod } from './period.js';
export * from './retrain/index.js';
export * from './schemas/forecaster-config.js';
export * from './schemas/model-config.js';
export { parseWith } from './schemas/parse.js';
export * from './schemas/pipeline-config.js';
export * from './schemas/train-config.js';
export { Secret } from './secret.js';
export { fromWireError, toWireError, type WireError } from './serving/error-wire.js';
export { type ModelInfo, modelInfo } from './serving/model-info.js';
export { SettingsEnvSchema, settingsFromEnv, type TwigaSettings } from './settings.js';
export { mulberry32, type SyntheticSeries, syntheticFrame, syntheticNetLoad } from './synthetic.js';
export { formatTimestamp } from './time-format.js';
export {
  checkForecastInRange,
  checkTimeInRange,
  isInTimeRange,
  MAX_TIME_MS,
  MIN_TIME_MS,
  TIME_RANGE_TEXT,
} from './time-range.js';
export {
  HttpTracker,
  type HttpTrackerOptions,
  type TrackedRun,
  type Tracker,
} from './tracking/index.js';
export {
  type GbdtOutputsInput,
  type GbdtThreadRunners,
  setTrainingBackend,
  type TrainingBackend,
  type TrainingLogger,
  trainingBackend,
} from './train/backend.js';
export { type FitOptions, type FitResult, fitForecaster } from './train/fit.js';
export { type GbdtData, type GbdtFit, trainGbdt } from './train/gbdt/index.js';
export { type TrainedModel, type TrainingWindows, trainModel } from './train/index.js';
export { type MlpData, type MlpFit, type MlpParams, trainMlp } from './train/mlp.js';
export {
  checkpointFiles,
  type Evaluated,
  evaluateModels,
  type FitInput,
  type FittedModel,
  fitModels,
  trainingResult,
} from './train/training-steps.js';
export * from './training-result.js';
export { PACKAGE_VERSION } from './version.js';
