/** twiga-edge/worker: forecasting off the main thread — the forecast Web Worker and its typed client. */
export type {
  CheckpointSource,
  ForecastInput,
  ForecastWorkerClient,
  IntervalOptions,
  LoadOptions,
  PredictOptions,
  WindowsForecast,
  WindowsOptions,
  WorkerHealth,
} from './api.js';
export { createForecastWorker, type ForecastWorkerOptions, type WorkerLike } from './client.js';
