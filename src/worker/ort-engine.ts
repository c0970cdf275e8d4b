/** onnxruntime-web for the forecast worker, in its own chunk: imported only when a model needs ORT. */
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import type { InferenceEngine } from '../runtime/engine/contract.js';
import { createOnnxEngine } from '../runtime/onnx/engine.js';

/** ORT on its WASM file emitted beside the worker (fetched when the first ORT session starts). */
export function createWorkerOrtEngine(): InferenceEngine {
  return createOnnxEngine({ wasmPaths: { wasm: ortWasmUrl } });
}
