/** The lean inference engine: our own evaluator for the ONNX operators our trainers emit, WASM hot loops. */
import { checkBatch } from '../engine/check.js';
import type { InferenceEngine, InferenceSession, ModelIONames } from '../engine/contract.js';
import { ModelError } from '../errors.js';
import { compileGraph, type LeanGraph } from './graph.js';
import { jsLeanKernels, type LeanKernels } from './kernels.js';
import { readModel } from './proto.js';
import { isUnsupportedGraph, UnsupportedGraphError } from './unsupported.js';

/** Capabilities for the lean engine. */
export interface LeanEngineOptions {
  /**
   * The hot loops: `loadLeanWasm(source)` (WASM) or a promise of it, so the first model waits for the module;
   * @default the plain-JS kernels (same arithmetic, same results)
   */
  kernels?: LeanKernels | Promise<LeanKernels>;
}

class LeanSession implements InferenceSession {
  readonly engine = 'lean' as const;
  #graph: LeanGraph | undefined;

  constructor(
    readonly label: string,
    graph: LeanGraph,
  ) {
    this.#graph = graph;
  }

  async run(features: Float32Array, nRows: number, nFeatures: number): Promise<Float32Array> {
    checkBatch(this.label, features, nRows, nFeatures);
    const graph = this.#graph;
    if (!graph) {
      throw new ModelError(
        `model "${this.label}" was released`,
        { label: this.label },
        undefined,
        'INFERENCE_ERROR',
      );
    }
    if (graph.nFeatures !== undefined && graph.nFeatures !== nFeatures) {
      throw new ModelError(
        `model "${this.label}" failed on features [${nRows}, ${nFeatures}]: the model expects ${graph.nFeatures} features`,
        { label: this.label, shape: [nRows, nFeatures], stage: 'run' },
        undefined,
        'INFERENCE_ERROR',
      );
    }
    return graph.run(features, nRows, nFeatures);
  }

  async release(): Promise<void> {
    this.#graph = undefined;
  }
}

/**
 * Creates the lean engine. `load` refuses, with an {@link UnsupportedGraphError} naming the operator, a graph
 * holding anything outside its operator set; when the input declares its feature count, one row of zeros is run
 * through the graph at load, so shape problems surface there (as a refusal) and not on the first request.
 * @example
 * const engine = createLeanEngine({ kernels: loadLeanWasm(bytes) });
 * const model = await engine.load(onnxBytes, 'gbdt');
 * const forecast = await model.run(features, nRows, nFeatures);
 */
export function createLeanEngine(options: LeanEngineOptions = {}): InferenceEngine {
  const kernels = Promise.resolve(options.kernels ?? jsLeanKernels);
  // A failed WASM start surfaces on `load`, not as an unhandled rejection before the first model.
  kernels.catch(() => undefined);
  return {
    async load(bytes: Uint8Array, label: string, io: ModelIONames = {}): Promise<InferenceSession> {
      const model = readModel(bytes, label);
      const graph = await compileGraph(model, label, io, await kernels);
      if (graph.nFeatures !== undefined) {
        try {
          graph.run(new Float32Array(graph.nFeatures), 1, graph.nFeatures);
        } catch (cause) {
          if (isUnsupportedGraph(cause)) throw cause;
          const message = cause instanceof Error ? cause.message : String(cause);
          throw new UnsupportedGraphError(label, 'the graph', `a probe row failed: ${message}`, {
            cause: message,
          });
        }
      }
      return new LeanSession(label, graph);
    },
  };
}
