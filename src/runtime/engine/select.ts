/** Engine selection: `auto` runs each model on the lean engine when it can, else on onnxruntime-web. */
import { ConfigError } from '../errors.js';
import { isUnsupportedGraph } from '../lean/unsupported.js';
import type { EngineChoice, InferenceEngine, InferenceSession, ModelIONames } from './contract.js';

/** The engines a platform can offer; ORT comes as a loader so builds without it (or that load it lazily) can say so. */
export interface EngineSetup {
  /** `auto` (default), `ort` or `lean`, usually from `TWIGA_INFERENCE_ENGINE`. */
  choice?: EngineChoice;
  lean: InferenceEngine;
  /** Creates the onnxruntime-web engine on first need (e.g. a dynamic import); absent in builds without ORT. */
  ort?: () => Promise<InferenceEngine>;
}

/**
 * One engine over both: with `auto`, a model the lean engine refuses (an {@link UnsupportedGraphError} naming
 * the operator) is loaded by onnxruntime-web, which is itself loaded only then. Each session's `engine`
 * says which one runs it.
 * @throws ConfigError on `load` when `ort` is asked for (or needed) in a build that has no ORT.
 * @example
 * const engine = selectEngine({ choice: 'auto', lean: createLeanEngine(), ort: async () => createOnnxEngine() });
 */
export function selectEngine(setup: EngineSetup): InferenceEngine {
  const choice = setup.choice ?? 'auto';
  let ort: Promise<InferenceEngine> | undefined;
  const needOrt = (label: string, why: string): Promise<InferenceEngine> => {
    if (!setup.ort) {
      throw new ConfigError(
        `model "${label}" needs onnxruntime-web (${why}), which this build does not include`,
        [{ path: 'TWIGA_INFERENCE_ENGINE', message: `${choice}: onnxruntime-web is not available here` }],
        { label, choice },
      );
    }
    const loader = setup.ort;
    ort ??= loader().catch((error: unknown) => {
      ort = undefined;
      throw error;
    });
    return ort;
  };
  return {
    async load(bytes: Uint8Array, label: string, io?: ModelIONames): Promise<InferenceSession> {
      if (choice === 'ort')
        return (await needOrt(label, 'TWIGA_INFERENCE_ENGINE=ort')).load(bytes, label, io);
      try {
        return await setup.lean.load(bytes, label, io);
      } catch (error) {
        if (choice === 'lean' || !isUnsupportedGraph(error)) throw error;
        return (await needOrt(label, (error as Error).message)).load(bytes, label, io);
      }
    },
  };
}
