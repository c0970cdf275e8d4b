/** The Workers entry: the Hono app on `fetch` (checkpoints in R2), the drift check on `scheduled`; lean + ORT engines. */

import { RetrainWorkflowOn } from './retrain-workflow.js';
import { initEdgeRuntime } from './wasm.js';
import { createWorker } from './worker-handlers.js';

export type { Env } from './worker-handlers.js';

export default createWorker(initEdgeRuntime);
/** The retraining Workflow (wrangler.toml `class_name = "RetrainWorkflow"`), fitting on this build's engines. */
export class RetrainWorkflow extends RetrainWorkflowOn {
  protected readonly start = initEdgeRuntime;
}
