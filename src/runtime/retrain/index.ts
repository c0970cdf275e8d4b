/** The retraining loop's platform-free parts: queue message, instance id, tasks, run record, hand-off, MLflow tracking. */
export * from './hand-off.js';
export * from './message.js';
export * from './run-record.js';
export * from './tasks.js';
export * from './track-run.js';
