/** The WASM capabilities every Worker build shares: the drift core and the lean engine's kernels, from module imports. */
import driftModule from '../../wasm/build/drift.wasm';
import leanModule from '../../wasm/build/lean.wasm';
import { initDriftWasm } from '../runtime/drift/wasm.js';
import type { EngineChoice, InferenceEngine } from '../runtime/engine/contract.js';
import { selectEngine } from '../runtime/engine/select.js';
import { createLeanEngine } from '../runtime/lean/engine.js';
import { loadLeanWasm } from '../runtime/lean/wasm.js';

export interface EdgeRuntime {
  /** The inference engine: lean, onnxruntime-web, or `auto` between them (per TWIGA_INFERENCE_ENGINE). */
  engine: InferenceEngine;
}

/** One start per isolate and build (keyed so the two entries can share an isolate in tests). */
const started = new Map<string, Promise<EdgeRuntime>>();

/**
 * Prepares inference and drift statistics for a Worker, once per isolate (later calls share the first
 * promise; a failed start is retried on the next call). Workers forbid compiling WASM from bytes, so every
 * core comes in as a `WebAssembly.Module` import that wrangler (and the vitest pool) precompile; the drift
 * kernel is installed globally. `ort` is absent in the lean Worker build, which then refuses models needing it.
 */
export function startEdgeRuntime(
  choice: EngineChoice,
  ort: (() => Promise<InferenceEngine>) | undefined,
): Promise<EdgeRuntime> {
  const key = `${choice}/${ort ? 'ort' : 'lean-only'}`;
  let start = started.get(key);
  if (!start) {
    start = (async () => {
      await initDriftWasm(driftModule);
      const lean = createLeanEngine({ kernels: await loadLeanWasm(leanModule) });
      return { engine: selectEngine({ choice, lean, ...(ort ? { ort } : {}) }) };
    })().catch((error: unknown) => {
      started.delete(key);
      throw error;
    });
    started.set(key, start);
  }
  return start;
}
