/** Node's inference engine: the lean engine on its WASM kernels, onnxruntime-web loaded only when a model needs it. */
import type { EngineChoice, InferenceEngine } from '../runtime/engine/contract.js';
import { selectEngine } from '../runtime/engine/select.js';
import { createLeanEngine } from '../runtime/lean/engine.js';
import { settingsFromEnv } from '../runtime/settings.js';
import { nodeLeanKernels } from './lean-wasm.js';

/**
 * The engine Node's serving paths use. `choice` defaults to `TWIGA_INFERENCE_ENGINE` (`auto`: lean when it
 * runs every node of a model, else onnxruntime-web).
 * @example
 * const { forecaster } = await loadForecaster('checkpoints/twiga', { engine: createNodeEngine('lean') });
 */
export function createNodeEngine(
  choice: EngineChoice = settingsFromEnv(process.env).engine,
): InferenceEngine {
  return selectEngine({
    choice,
    lean: createLeanEngine({ kernels: nodeLeanKernels() }),
    ort: async () => (await import('../runtime/onnx/engine.js')).createOnnxEngine(),
  });
}
