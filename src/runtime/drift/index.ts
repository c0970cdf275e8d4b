/** Drift statistics over the WASM core, Evidently-style drift detection and the checkpoint's drift reference. */
export { type BinnedShares, binnedShares, fillZeroShares, sturgesEdges, valueCounts } from './binning.js';
export {
  type CheckpointReference,
  CheckpointReferenceSchema,
  decodeReference,
  REFERENCE_FILE,
  trainingDriftReference,
} from './checkpoint-reference.js';
export {
  DEFAULT_THRESHOLDS,
  type DetectDriftOptions,
  defaultDriftMethod,
  detectDrift,
  runDriftTest,
} from './detect.js';
export { type DriftKernel, jsKernel, type SortedPair } from './kernel.js';
export {
  ForecastMonitor,
  type ForecastMonitorOptions,
  type PerformanceOptions,
  type ReportSink,
} from './monitor.js';
export { numericColumns, type TableInput } from './monitor-input.js';
export {
  DEGRADATION_DIRECTION,
  evaluatePerformance,
  isDegraded,
  PERFORMANCE_METRICS,
  type PerformanceSummary,
  PerformanceSummarySchema,
  type ReferencePerformance,
} from './performance.js';
export {
  buildDriftReference,
  type DriftReference,
  type DriftReferenceColumn,
  DriftReferenceColumnSchema,
  type DriftReferenceOptions,
  DriftReferenceSchema,
  referenceColumns,
} from './reference.js';
export * from './report/index.js';
export { chi2Sf, gammaincc, lgamma, normSf } from './special/gamma.js';
export { kstwoSf } from './special/kolmogn.js';
export { kolmogorov, smirnov } from './special/kolmogorov.js';
export {
  chiSquare,
  jensenShannon,
  KS_MAX_EXACT_N,
  klDivergence,
  ks2samp,
  ksTest,
  psi,
  sortedPair,
  type TestResult,
  wassersteinDistance,
  zTest,
  zTestSorted,
} from './stats.js';
export { meanStd, pairwiseSum } from './sum.js';
export {
  type ColumnDrift,
  ColumnDriftSchema,
  DRIFT_METHODS,
  type DriftMethod,
  DriftMethodSchema,
  type DriftSummary,
  DriftSummarySchema,
} from './summary.js';
export {
  type DriftWasmSource,
  driftKernel,
  initDriftWasm,
  useDriftKernel,
  type WasmModuleLike,
} from './wasm.js';
