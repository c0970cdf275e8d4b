/** The retraining loop's platform-free parts: queue message, instance id, tasks, fit, run record, hand-off. */
export * from './data-window.js';
export * from './fit-candidate.js';
export * from './hand-off.js';
export * from './message.js';
export * from './recipe.js';
export * from './run-record.js';
export * from './tasks.js';
