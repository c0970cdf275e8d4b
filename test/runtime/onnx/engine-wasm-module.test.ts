/** The Workers path: ORT started from a precompiled WebAssembly.Module (own file, so ORT's global env is fresh). */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { exportModel } from '../../../src/runtime/models/export.js';
import { createOnnxEngine } from '../../../src/runtime/onnx/engine.js';

/** The slice of the WebAssembly JS API used here (the project's libs declare no WebAssembly values). */
interface WasmApi {
  Module: abstract new (...args: never[]) => object;
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(source: unknown, imports?: unknown): Promise<unknown>;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

describe('createOnnxEngine({ wasmModule })', () => {
  it('instantiates ORT from the given module and never compiles WASM from bytes', async () => {
    const wasmPath = createRequire(import.meta.url).resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm');
    const wasmModule = await wasm.compile(await readFile(wasmPath));
    const original = wasm.instantiate;
    const compiledFromBytes: number[] = [];
    wasm.instantiate = (source, imports) => {
      if (!(source instanceof wasm.Module)) compiledFromBytes.push((source as ArrayBufferView).byteLength);
      return original.call(wasm, source, imports);
    };
    try {
      const engine = createOnnxEngine({ wasmModule });
      const bytes = exportModel({
        kind: 'seasonal_naive',
        label: 'sn',
        seasonSteps: 2,
        lookback: 2,
        targetLagOffset: 0,
        horizon: 3,
        nTargets: 1,
        nFeatures: 2,
      });
      const model = await engine.load(bytes, 'sn');
      expect(Array.from(await model.run(new Float32Array([7, 9]), 1, 2))).toEqual([7, 9, 7]);
      expect(compiledFromBytes).toEqual([]);
    } finally {
      wasm.instantiate = original;
    }
    // The engine's hook is gone once ORT has started.
    expect(wasm.instantiate).toBe(original);
  });
});
