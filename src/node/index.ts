/** twiga-edge/node: training, evaluation, prediction, data loading and the file-system store. */

export { GBDT_SEARCH_SPACE, type TuningRecord } from '../runtime/train/gbdt-model.js';
export { GramAccumulator } from '../runtime/train/gram.js';
export { type RidgeFit, type RidgeOptions, solveRidge, trainRidge } from '../runtime/train/linear.js';
export {
  type Params,
  type SearchSpace,
  type TpeOptions,
  type TpeResult,
  type Trial,
  tpe,
} from '../runtime/train/tpe.js';
export {
  type BacktestFold,
  type BacktestOptions,
  type BacktestResult,
  BacktestSchema,
  backtest,
  backtestFrame,
  type FrameBacktestInput,
  foldRanges,
  meanOverFolds,
  writeBacktestCsv,
} from './backtest.js';
export { backtestFleet, type FleetBacktestResult, writeFleetBacktestCsv } from './backtest-fleet.js';
export { listCheckpointVersions, rollbackCheckpoint } from './checkpoints.js';
export { buildProgram, main } from './cli/main.js';
export { parseModelsFlag, type TrainFlags, trainConfigFromFlags } from './cli/train-flags.js';
export {
  closeDuckDB,
  formatReport,
  type LoadOptions,
  LoadOptionsSchema,
  type LoadReport,
  type LoadResult,
  loadData,
} from './data/index.js';
export { readStaticTable, type StaticTable } from './data/static-table.js';
export {
  NET_LOAD_MODELS,
  netLoadCsv,
  netLoadPipeline,
  RECENT_DAYS,
  writeDemoData,
} from './demo/net-load.js';
export { runDemo } from './demo/run-demo.js';
export { type RunDriftOptions, runDrift } from './drift.js';
export {
  type FleetDriftCounts,
  type PanelDriftOptions,
  type PanelDriftResult,
  runPanelDrift,
} from './drift-panel.js';
export { DRIFT_WASM_PATH, initNodeDriftWasm, readDriftWasm } from './drift-wasm.js';
export { createNodeEngine } from './engine.js';
export { type EvaluateOptions, type EvaluateReport, evaluate, writePredictionsCsv } from './evaluate.js';
export { type FitOptions, type FitResult, fitForecaster } from './fit.js';
export { fitGlobal, type GlobalFitOptions, type GlobalFitResult } from './fit-global.js';
export { type FleetData, type FleetSeries, isFleetConfig, loadFleetData } from './fleet-data.js';
export * from './flows/index.js';
export { FsCheckpointStore } from './fs-store.js';
export { type ImportOptions, type ImportSpec, ImportSpecSchema, importOnnx } from './import-onnx.js';
export { LEAN_WASM_PATH, nodeLeanKernels, readLeanWasm } from './lean-wasm.js';
export { type LoadedForecaster, loadForecaster } from './load-forecaster.js';
export { createLogger, type Logger, memoryLogger } from './log.js';
export { ForecastThreadPool, type ThreadPoolOptions } from './pool/thread-pool.js';
export {
  type ForecastJson,
  forecastFile,
  forecastToJson,
  type PredictOptions,
  predict,
  predictPanel,
} from './predict.js';
export {
  type LocalR2,
  openLocalR2,
  type PublishOptions,
  type PublishSummary,
  type PublishTarget,
  publish,
  publishCheckpoint,
} from './publish.js';
export { fileReportSink } from './report-sink.js';
export {
  type JobWorkerLoopOptions,
  type JobWorkerSummary,
  nodeFitCandidate,
  runJobWorker,
} from './retrain-worker.js';
export { S3CheckpointStore, type S3StoreOptions, s3StoreFromEnv } from './s3-store.js';
export { defaultWorkers, type RunningServer, type ServeOptions, serve } from './serve.js';
export { type LoadSettingsOptions, loadSettings } from './settings.js';
export * from './tracking/index.js';
export { defaultModels, REFERENCE_FILE, type TrainOptions, train } from './train.js';
export {
  type FleetSeriesResult,
  type FleetTrainingResult,
  type TrainFleetOptions,
  trainFleet,
} from './train-fleet.js';
export {
  GBDT_DEFAULTS,
  type GbdtData,
  type GbdtFit,
  type GbdtParams,
  type GbdtTrainOptions,
  predictGbdt,
  trainGbdt,
} from './trainers/gbdt/index.js';
export { loadTrainingData, type TrainingData } from './training-data.js';
