/** Inference inside a Worker isolate: the engines and the drift core start on the first model load, not at start-up. */
import type { EngineChoice } from '../runtime/engine/contract.js';
import type { EdgeRuntime } from './edge-runtime.js';
import { inProcessPredictors, type PredictorFactory } from './predictor.js';

/** Starts the engines and the drift core (`initEdgeRuntime`, or `initLeanEdgeRuntime` in the lean build). */
export type StartRuntime = (choice: EngineChoice) => Promise<EdgeRuntime>;

/** Predictors on the engines `start` gives for `choice` (TWIGA_INFERENCE_ENGINE), started once per isolate. */
export function edgePredictors(start: StartRuntime, choice: EngineChoice): PredictorFactory {
  return {
    async create(files, version, manifest) {
      const { engine } = await start(choice);
      return inProcessPredictors(engine).create(files, version, manifest);
    },
  };
}
