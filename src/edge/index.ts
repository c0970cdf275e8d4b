/** twiga-edge/edge: the forecast API as a Hono app (Workers or Node), its R2 store and the scheduled drift check. */
export { type AppOptions, createApp, type TwigaApp } from './app.js';
export { ApiError, type ErrorBody } from './http-errors.js';
export { type ActiveModel, ModelHost, type ModelHostOptions } from './model-host.js';
export { inProcessPredictors, type Predictor, type PredictorFactory } from './predictor.js';
export { R2CheckpointStore, type R2StoreOptions } from './r2-store.js';
export type { R2BucketLike, R2ObjectBodyLike, R2ObjectLike } from './r2-types.js';
export { type RecentData, readRecentData } from './recent-data.js';
export { storeReportSink } from './report-sink.js';
export { type DriftCheckResult, runDriftCheck } from './scheduled.js';
