/** Experiment tracking that runs anywhere: MLflow's REST client (fetch only), its formats and contract. */
export { HttpTracker, type HttpTrackerOptions } from './http.js';
export {
  keyProblem,
  pythonFloat,
  RUN_STATUS,
  type RunStatus,
  SYSTEM_TAGS,
  sanitizeKey,
} from './mlflow-format.js';
export { randomRunName } from './run-name.js';
export type { DatasetInput, ParamValue, StartRunOptions, TrackedRun, Tracker } from './tracker.js';
