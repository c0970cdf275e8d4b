/**
 * The lean Workers entry (`wrangler deploy --env lean`): the same app and cron as `worker.ts`, inference on the
 * lean engine only — no onnxruntime-web in the bundle, so the upload fits the Workers free plan.
 */

import { RetrainWorkflowOn } from './retrain-workflow.js';
import { initLeanEdgeRuntime } from './wasm-lean.js';
import { createWorker } from './worker-handlers.js';

export type { Env } from './worker-handlers.js';

export default createWorker(initLeanEdgeRuntime);
/** The retraining Workflow (wrangler.toml `class_name = "RetrainWorkflow"`), fitting on this build's engines. */
export class RetrainWorkflow extends RetrainWorkflowOn {
  protected readonly start = initLeanEdgeRuntime;
}
