/** The ORT engine in plain Node: no options needed, typed errors for bad input, bad bytes and bad I/O. */
import { describe, expect, it } from 'vitest';
import { ModelError } from '../../../src/runtime/errors.js';
import { exportModel } from '../../../src/runtime/models/export.js';
import type { LinearSpec } from '../../../src/runtime/models/spec.js';
import { createOnnxEngine } from '../../../src/runtime/onnx/engine.js';
import { buildModel } from '../../../src/runtime/onnx/writer.js';

const spec: LinearSpec = {
  kind: 'linear',
  label: 'tiny',
  nFeatures: 3,
  horizon: 2,
  nTargets: 1,
  weights: new Float64Array([1, 0, 0, 1, 1, 1]),
  bias: new Float64Array([0, 10]),
  alpha: 0,
};

async function caught(promise: Promise<unknown>): Promise<ModelError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ModelError);
  return err as ModelError;
}

describe('createOnnxEngine', () => {
  const engine = createOnnxEngine();

  it('loads and runs with no options (ORT finds its .wasm itself)', async () => {
    const started = performance.now();
    const model = await engine.load(exportModel(spec), spec.label);
    const loadMs = performance.now() - started;
    const out = await model.run(new Float32Array([1, 2, 3, 0, 0, 0]), 2, 3);
    expect(Array.from(out)).toEqual([4, 15, 0, 10]);
    console.info(`first load (WASM start-up included): ${loadMs.toFixed(0)} ms`);
    await model.release();
  });

  it('runs a batch of zero rows', async () => {
    const model = await engine.load(exportModel(spec), spec.label);
    expect((await model.run(new Float32Array(0), 0, 3)).length).toBe(0);
  });

  it('rejects features whose length is not nRows * nFeatures, naming the expected shape', async () => {
    const model = await engine.load(exportModel(spec), spec.label);
    const err = await caught(model.run(new Float32Array(5), 2, 3));
    expect(err.code).toBe('INFERENCE_ERROR');
    expect(err.message).toContain('[2, 3]');
    expect(err.message).toContain('got 5 values');
    expect(err.context).toMatchObject({ label: 'tiny', shape: [2, 3], length: 5 });
  });

  it('wraps ORT run failures (wrong nFeatures for the model) in a ModelError with context', async () => {
    const model = await engine.load(exportModel(spec), spec.label);
    const err = await caught(model.run(new Float32Array(8), 2, 4));
    expect(err.code).toBe('INFERENCE_ERROR');
    expect(err.context).toMatchObject({ label: 'tiny', shape: [2, 4], stage: 'run' });
    expect(err.cause).toBeDefined();
  });

  it('rejects corrupt ONNX bytes with a ModelError, not a raw ORT throw', async () => {
    const bytes = exportModel(spec).slice(0, 40);
    const err = await caught(engine.load(bytes, 'corrupt'));
    expect(err.code).toBe('INFERENCE_ERROR');
    expect(err.message).toContain('"corrupt"');
    expect(err.context).toMatchObject({ label: 'corrupt', stage: 'load', byteLength: 40 });
    const garbage = await caught(engine.load(new Uint8Array([8, 255, 255, 1, 2, 3]), 'garbage'));
    expect(garbage.name).toBe('ModelError');
  });

  it('reads a foreign model through its only input, or the names it is given, and refuses unknown names', async () => {
    const bytes = buildModel({
      graph: {
        name: 'identity',
        nodes: [{ opType: 'Identity', inputs: ['x'], outputs: ['y'] }],
        inputs: [{ name: 'x', elemType: 'float', shape: ['N', 2] }],
        outputs: [{ name: 'y', elemType: 'float', shape: ['N', 2] }],
      },
      opsets: [{ domain: '', version: 17 }],
    });
    const model = await engine.load(bytes, 'identity');
    expect(Array.from(await model.run(Float32Array.from([1, 2, 3, 4]), 2, 2))).toEqual([1, 2, 3, 4]);
    const named = await engine.load(bytes, 'identity', { input: 'x', output: 'y' });
    expect(Array.from(await named.run(Float32Array.from([5, 6]), 1, 2))).toEqual([5, 6]);
    const err = await caught(engine.load(bytes, 'identity', { output: 'variable' }));
    expect(err.message).toBe(
      'model "identity" needs one float input of features and an output of forecasts (asked for input "features", output "variable"); it has inputs [x] and outputs [y]',
    );
  });

  it('rejects run after release', async () => {
    const model = await engine.load(exportModel(spec), spec.label);
    await model.release();
    expect((await caught(model.run(new Float32Array(3), 1, 3))).message).toContain('released');
  });

  it('shares the global ORT setup and refuses conflicting options', () => {
    expect(() => createOnnxEngine({ numThreads: 1 })).not.toThrow();
    expect(() => createOnnxEngine({ numThreads: 2 })).toThrow(/already configured; cannot change numThreads/);
  });
});
