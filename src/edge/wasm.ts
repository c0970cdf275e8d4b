/** The WASM capabilities inside workerd (default build): lean + ORT engines and the drift core, from `.wasm` imports. */
import ortModule from 'onnxruntime-web/ort-wasm-simd-threaded.wasm';
import type { EngineChoice } from '../runtime/engine/contract.js';
import { createOnnxEngine } from '../runtime/onnx/engine.js';
import { type EdgeRuntime, startEdgeRuntime } from './edge-runtime.js';

export type { EdgeRuntime } from './edge-runtime.js';

/**
 * Prepares inference and drift statistics for a Worker, once per isolate. ORT starts only when a model
 * needs it (`auto` and a graph the lean engine refuses, or `ort`).
 * @param choice TWIGA_INFERENCE_ENGINE; @default `auto`
 * @example
 * const { engine } = await initEdgeRuntime();
 * const forecaster = await Forecaster.fromFiles(files, engine);
 */
export function initEdgeRuntime(choice: EngineChoice = 'auto'): Promise<EdgeRuntime> {
  return startEdgeRuntime(choice, async () => createOnnxEngine({ wasmModule: ortModule }));
}
