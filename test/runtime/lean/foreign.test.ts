/**
 * The lean engine on foreign models `import-onnx` accepts (protobufjs-written, `float_data` tensors, every branch
 * mode), its refusals naming the operator, and `auto`/`lean`/`ort` selection.
 */
import { describe, expect, it } from 'vitest';
import { createNodeEngine } from '../../../src/node/engine.js';
import { nodeLeanKernels } from '../../../src/node/lean-wasm.js';
import { selectEngine } from '../../../src/runtime/engine/select.js';
import { createLeanEngine } from '../../../src/runtime/lean/engine.js';
import { createOnnxEngine } from '../../../src/runtime/onnx/engine.js';
import { settingsFromEnv } from '../../../src/runtime/settings.js';
import { mulberry32 } from '../../../src/runtime/synthetic.js';
import { gemmModel, type Stump, treeEnsembleModel } from '../../node/foreign-onnx.js';
import { firstDifference, randomFeatures } from './random-models.js';

const ort = createOnnxEngine();
const lean = createLeanEngine({ kernels: nodeLeanKernels() });

function stumps(n: number, nFeatures: number, nTargets: number, seed: number): Stump[] {
  const rand = mulberry32(seed);
  return Array.from({ length: n }, (_, k) => ({
    target: k % nTargets,
    feature: Math.floor(rand() * nFeatures),
    // Some thresholds equal to input values, so the == / <= / < modes differ.
    threshold: k % 3 === 0 ? 0 : Math.fround((rand() - 0.5) * 3),
    left: Math.fround(rand() - 0.5),
    right: Math.fround(rand() - 0.5),
  }));
}

function features(nRows: number, nFeatures: number, seed: number): Float32Array {
  const x = randomFeatures(nRows, nFeatures, seed, 0.1);
  for (let i = 0; i < x.length; i += 7) x[i] = 0;
  return x;
}

async function same(bytes: Uint8Array, x: Float32Array, nRows: number, nFeatures: number) {
  const expected = await (await ort.load(bytes, 'foreign')).run(x, nRows, nFeatures);
  const session = await lean.load(bytes, 'foreign');
  expect(session.engine).toBe('lean');
  const got = await session.run(x, nRows, nFeatures);
  const at = firstDifference(got, expected);
  expect(at, `lean ${got[at]} vs ORT ${expected[at]} at ${at}`).toBe(-1);
}

describe('foreign models', () => {
  it.each(['BRANCH_LEQ', 'BRANCH_LT', 'BRANCH_GTE', 'BRANCH_GT', 'BRANCH_EQ', 'BRANCH_NEQ'])(
    'a tree ensemble with %s branches equals ORT bit for bit',
    async (mode) => {
      const F = 6;
      const bytes = treeEnsembleModel(F, 3, stumps(90, F, 3, 7), [0.5, -1, 100], { mode });
      await same(bytes, features(400, F, 3), 400, F);
    },
  );

  it('an output no leaf feeds stays as ORT leaves it', async () => {
    const F = 4;
    await same(treeEnsembleModel(F, 2, stumps(10, F, 1, 8), [5, 7]), features(20, F, 4), 20, F);
  });

  it('a Gemm (skl2onnx-style, float_data tensors) equals ORT bit for bit', async () => {
    const rand = mulberry32(9);
    const F = 300;
    const O = 6;
    const W = Array.from({ length: F }, () => Array.from({ length: O }, () => rand() - 0.5));
    const bytes = gemmModel(
      W,
      Array.from({ length: O }, () => rand()),
    );
    await same(bytes, randomFeatures(50, F, 5), 50, F);
  });
});

describe('refusals and selection', () => {
  const sigmoid = gemmModel([[1], [2]], [0], 'Sigmoid');
  const average = treeEnsembleModel(2, 1, stumps(3, 2, 1, 1), [0], { aggregate: 'AVERAGE' });

  it('refuses an operator outside its set, naming it', async () => {
    await expect(lean.load(sigmoid, 'odd')).rejects.toMatchObject({
      name: 'UnsupportedGraphError',
      operator: 'Sigmoid',
      message: expect.stringMatching(
        /^model "odd": the lean engine cannot run Sigmoid: not among the operators it runs \(MatMul, Gemm/,
      ),
    });
    await expect(lean.load(average, 'avg')).rejects.toThrow(
      'model "avg": the lean engine cannot run ai.onnx.ml.TreeEnsembleRegressor: aggregate_function "AVERAGE" is not supported (only SUM)',
    );
  });

  it('auto runs what lean can and hands the rest to ORT; lean alone refuses; ort alone never uses lean', async () => {
    const linear = gemmModel([[1], [2]], [0.5]);
    const auto = createNodeEngine('auto');
    expect((await auto.load(linear, 'a')).engine).toBe('lean');
    const fallback = await auto.load(average, 'b');
    expect(fallback.engine).toBe('ort');
    expect(Array.from(await fallback.run(Float32Array.from([0, 0]), 1, 2))).toHaveLength(1);
    await expect(createNodeEngine('lean').load(average, 'c')).rejects.toThrow(
      /cannot run ai.onnx.ml.TreeEnsembleRegressor/,
    );
    expect((await createNodeEngine('ort').load(linear, 'd')).engine).toBe('ort');
  });

  it('a build without ORT says a model needs it', async () => {
    const leanOnly = selectEngine({ choice: 'auto', lean });
    await expect(leanOnly.load(sigmoid, 'odd')).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining(
        'model "odd" needs onnxruntime-web (model "odd": the lean engine cannot run Sigmoid',
      ),
    });
  });

  it('errors that are not refusals pass through unchanged (no ORT retry)', async () => {
    const auto = createNodeEngine('auto');
    await expect(auto.load(new Uint8Array([1, 2, 3]), 'junk')).rejects.toMatchObject({
      code: 'INFERENCE_ERROR',
    });
    const session = await auto.load(gemmModel([[1], [2]], [0.5]), 'shape');
    await expect(session.run(new Float32Array(3), 1, 3)).rejects.toThrow(/expects 2 features/);
    await session.release();
    await expect(session.run(new Float32Array(2), 1, 2)).rejects.toThrow('model "shape" was released');
  });
});

describe('TWIGA_INFERENCE_ENGINE', () => {
  it('defaults to auto, accepts ort and lean, and names the variable when the value is wrong', () => {
    expect(settingsFromEnv({}).engine).toBe('auto');
    expect(settingsFromEnv({ TWIGA_INFERENCE_ENGINE: 'lean' }).engine).toBe('lean');
    expect(() => settingsFromEnv({ TWIGA_INFERENCE_ENGINE: 'fast' })).toThrow(/TWIGA_INFERENCE_ENGINE/);
  });
});
