/** The lean engine (plain JS and WASM kernels) equals onnxruntime-web bit for bit on every model kind we export. */
import { describe, expect, it } from 'vitest';
import { nodeLeanKernels } from '../../../src/node/lean-wasm.js';
import { createLeanEngine } from '../../../src/runtime/lean/engine.js';
import { jsLeanKernels } from '../../../src/runtime/lean/kernels.js';
import { createOnnxEngine } from '../../../src/runtime/onnx/engine.js';
import { exportedCases, firstDifference } from './random-models.js';

const ort = createOnnxEngine();
const engines = {
  'lean (WASM)': createLeanEngine({ kernels: nodeLeanKernels() }),
  'lean (JS)': createLeanEngine({ kernels: jsLeanKernels }),
};

describe.each(Object.entries(engines))('%s', (_, lean) => {
  it.each(exportedCases().map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const expected = await (await ort.load(c.bytes, c.name, c.io)).run(c.features, c.nRows, c.nFeatures);
    const session = await lean.load(c.bytes, c.name, c.io);
    expect(session.engine).toBe('lean');
    const got = await session.run(c.features, c.nRows, c.nFeatures);
    const at = firstDifference(got, expected);
    expect(at, `first difference at ${at}: lean ${got[at]} vs ORT ${expected[at]}`).toBe(-1);
    // One row at a time gives the same bits as the batch.
    const one = await session.run(c.features.subarray(0, c.nFeatures), 1, c.nFeatures);
    expect(firstDifference(one, expected.subarray(0, one.length))).toBe(-1);
  });
});
