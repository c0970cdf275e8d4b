/** The host-reads-the-bytes path: ORT started from `wasmBinary` (own file, so ORT's global env is fresh). */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { expect, it } from 'vitest';
import { exportModel } from '../../../src/runtime/models/export.js';
import { createOnnxEngine } from '../../../src/runtime/onnx/engine.js';

it('createOnnxEngine({ wasmBinary }) runs a model from bytes the host supplied', async () => {
  const wasmPath = createRequire(import.meta.url).resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm');
  const engine = createOnnxEngine({ wasmBinary: new Uint8Array(await readFile(wasmPath)) });
  const bytes = exportModel({
    kind: 'linear',
    label: 'lin',
    nFeatures: 2,
    horizon: 1,
    nTargets: 1,
    weights: new Float64Array([2, 3]),
    bias: new Float64Array([1]),
    alpha: 0,
  });
  const model = await engine.load(bytes, 'lin');
  expect(Array.from(await model.run(new Float32Array([1, 1, 0, 2]), 2, 2))).toEqual([6, 7]);
});
