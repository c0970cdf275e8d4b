/** The Workers entry: the Hono app on `fetch` (checkpoints in R2), the drift check on `scheduled`; lean + ORT engines. */
import { initEdgeRuntime } from './wasm.js';
import { createWorker } from './worker-handlers.js';

export type { Env } from './worker-handlers.js';

export default createWorker(initEdgeRuntime);
export { RetrainWorkflow } from './retrain-workflow.js';
