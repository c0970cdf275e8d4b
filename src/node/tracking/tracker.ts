/** The experiment-tracking contract, platform-free in src/runtime/tracking; re-exported for Node callers. */
export type * from '../../runtime/tracking/tracker.js';
