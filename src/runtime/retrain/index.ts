/**
 * The retraining loop's platform-free parts: queue message, instance id, tasks, fit, run record, hand-off,
 * the job runner's side of a hand-off (leases, job results, one job's run, reading the records back), and
 * the MLflow tracking of a run record. Every platform capability (store, engine, training backend, HTTP client,
 * sleep) is passed in by the caller.
 */
export * from './check-drift.js';
export * from './data-window.js';
export * from './fit-candidate.js';
export * from './hand-off.js';
export * from './job-result.js';
export * from './lease.js';
export * from './message.js';
export * from './recipe.js';
export * from './run-history.js';
export * from './run-record.js';
export * from './step-runner.js';
export * from './tasks.js';
export * from './track-run.js';
export * from './work-job.js';
