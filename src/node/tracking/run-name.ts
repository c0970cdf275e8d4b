/** MLflow-style random run names, platform-free in src/runtime/tracking; re-exported for Node callers. */
export { randomRunName } from '../../runtime/tracking/run-name.js';
