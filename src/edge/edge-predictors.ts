/** Inference inside a Worker isolate: ORT and the drift core start on the first model load, not at start-up. */
import { inProcessPredictors, type PredictorFactory } from './predictor.js';
import { initEdgeRuntime } from './wasm.js';

export const edgePredictors: PredictorFactory = {
  async create(files, version, manifest) {
    const { engine } = await initEdgeRuntime();
    return inProcessPredictors(engine).create(files, version, manifest);
  },
};
