/** The WASM capabilities of the lean Worker build: the lean engine and the drift core, no onnxruntime-web. */
import type { EngineChoice } from '../runtime/engine/contract.js';
import { type EdgeRuntime, startEdgeRuntime } from './edge-runtime.js';

/**
 * Like `initEdgeRuntime`, without ORT: a model the lean engine refuses fails to load with a `CONFIG_INVALID`
 * error naming the operator (and the old model keeps serving).
 * @param choice TWIGA_INFERENCE_ENGINE; `ort` cannot be served by this build. @default `auto`
 */
export function initLeanEdgeRuntime(choice: EngineChoice = 'auto'): Promise<EdgeRuntime> {
  return startEdgeRuntime(choice, undefined);
}
