/** Experiment tracking (twiga's TwigaTracker): MLflow's file store on disk, or an MLflow server over REST. */
export { FileStoreTracker, type FileStoreTrackerOptions } from './file-store.js';
export { HttpTracker, type HttpTrackerOptions, type NodeHttpTrackerOptions } from './http.js';
export {
  keyProblem,
  newExperimentId,
  newRunId,
  pythonFloat,
  RUN_STATUS,
  type RunStatus,
  SYSTEM_TAGS,
  sanitizeKey,
} from './mlflow-format.js';
export { openTracker } from './open.js';
export {
  type DatasetInfo,
  fileDigest,
  flattenParams,
  logDataset,
  logEvaluation,
  logForecasterMetadata,
  logModel,
} from './steps.js';
export type { DatasetInput, ParamValue, StartRunOptions, TrackedRun, Tracker } from './tracker.js';
