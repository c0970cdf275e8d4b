/** The WASM capabilities inside workerd: ORT and the drift core from precompiled `.wasm` module imports. */
import ortModule from 'onnxruntime-web/ort-wasm-simd-threaded.wasm';
import driftModule from '../../wasm/build/drift.wasm';
import { initDriftWasm } from '../runtime/drift/wasm.js';
import { createOnnxEngine, type OnnxEngine } from '../runtime/onnx/engine.js';

export interface EdgeRuntime {
  /** Inference engine over onnxruntime-web, instantiated from the imported module. */
  engine: OnnxEngine;
}

let started: Promise<EdgeRuntime> | undefined;

/**
 * Prepares inference and drift statistics for a Worker, once per isolate (later calls share the first
 * promise; a failed start is retried on the next call). Workers forbid compiling WASM from bytes, so both
 * cores come in as `WebAssembly.Module` imports that wrangler (and the vitest pool) precompile; the drift
 * kernel is installed globally, so every statistic from `src/runtime/drift` runs on WASM afterwards.
 * @example
 * const { engine } = await initEdgeRuntime();
 * const forecaster = await Forecaster.fromFiles(files, engine);
 */
export function initEdgeRuntime(): Promise<EdgeRuntime> {
  started ??= (async () => {
    await initDriftWasm(driftModule);
    return { engine: createOnnxEngine({ wasmModule: ortModule }) };
  })().catch((error: unknown) => {
    started = undefined;
    throw error;
  });
  return started;
}
