/**
 * `window_norm` in the graph: onnxruntime-web computes the normalised features bit for bit as the trainers do
 * (`normaliseWindows`), and GBDT and MLP graphs serve the float64 reference's forecast.
 */
import { describe, expect, it } from 'vitest';
import { ModelError } from '../../../src/runtime/errors.js';
import { exportModel, predictInMemory } from '../../../src/runtime/models/export.js';
import type { ModelIO, WindowNorm } from '../../../src/runtime/models/spec.js';
import { normaliseWindows, windowNormGraph } from '../../../src/runtime/models/window-norm.js';
import { createOnnxEngine } from '../../../src/runtime/onnx/engine.js';
import { buildModel } from '../../../src/runtime/onnx/writer.js';
import { firstDifference, randomGbdtSpec, randomMlpSpec, windowFeatures } from '../lean/random-models.js';

const ort = createOnnxEngine();

/** The normalisation subgraph alone, its `normalised` features as the graph output. */
function normalisationGraph(norm: WindowNorm, io: ModelIO): Uint8Array {
  const g = windowNormGraph(norm, io, 'normalised');
  return buildModel({
    graph: {
      name: 'wn',
      nodes: g.nodes,
      initializers: g.initializers,
      inputs: [{ name: 'features', elemType: 'float', shape: ['N', io.nFeatures] }],
      outputs: [{ name: 'normalised', elemType: 'float', shape: ['N', io.nFeatures] }],
    },
    opsets: [{ domain: '', version: 17 }],
  });
}

const CASES: { name: string; norm: WindowNorm; io: ModelIO }[] = [
  {
    name: 'one day of a one-week lookback, calendar after',
    norm: { seasonSteps: 24, lookback: 168, targetLagOffset: 0, eps: [1e-3] },
    io: { nFeatures: 168 + 96, horizon: 24, nTargets: 1 },
  },
  {
    // 2 · 168 season lags: two MLAS K blocks in both products, and the variance's fused Add.
    name: 'two targets, a week of two, columns before and after',
    norm: { seasonSteps: 168, lookback: 336, targetLagOffset: 3, eps: [1e-3, 0.5] },
    io: { nFeatures: 3 + 672 + 5, horizon: 24, nTargets: 2 },
  },
];

describe('window_norm subgraph', () => {
  it.each(CASES)('$name: ORT normalises bit for bit as the trainers do', async ({ norm, io }) => {
    const n = 64;
    const x = windowFeatures(n, io.nFeatures, { ...norm, nTargets: io.nTargets }, 3);
    // Flat windows too: the eps floor keeps them finite.
    x.fill(2.5, norm.targetLagOffset, norm.targetLagOffset + norm.lookback);
    const model = await ort.load(normalisationGraph(norm, io), 'wn', { output: 'normalised' });
    const got = await model.run(x, n, io.nFeatures);
    await model.release();
    const want = Float32Array.from(normaliseWindows(norm, io, Float64Array.from(x), n).x);
    expect(firstDifference(got, want)).toBe(-1);
    expect(want.every(Number.isFinite)).toBe(true);
    // The last season of each target lands at mean 0 and (nearly) unit scale.
    const { seasonSteps: S, lookback: L, targetLagOffset: off } = norm;
    const row = Array.from(want.subarray(io.nFeatures * 5, io.nFeatures * 6));
    const season = row.slice(off + L - S, off + L);
    const mean = season.reduce((a, v) => a + v, 0) / S;
    expect(Math.abs(mean)).toBeLessThan(1e-5);
    expect(season.reduce((a, v) => a + (v - mean) ** 2, 0) / S).toBeCloseTo(1, 3);
    // Features outside the lag block pass unchanged.
    for (let i = off + io.nTargets * L; i < io.nFeatures; i++) expect(row[i]).toBe(x[io.nFeatures * 5 + i]);
  });

  it('GBDT and MLP graphs serve the reference forecast, m + s · learner', async () => {
    const { norm, io } = CASES[1]!;
    const n = 40;
    const x = windowFeatures(n, io.nFeatures, { ...norm, nTargets: io.nTargets }, 4);
    const specs = [
      { ...randomGbdtSpec({ trees: 60, depth: 5, seed: 2, ...io }), windowNorm: norm },
      { ...randomMlpSpec({ hidden: 16, seed: 3, skip: true, ...io }), windowNorm: norm },
    ];
    for (const spec of specs) {
      const reference = predictInMemory(spec, Float64Array.from(x), n);
      const model = await ort.load(exportModel(spec), spec.label);
      const onnx = await model.run(x, n, io.nFeatures);
      await model.release();
      let worst = 0;
      for (let k = 0; k < onnx.length; k++)
        worst = Math.max(worst, Math.abs(onnx[k]! - reference[k]!) / Math.max(1, Math.abs(reference[k]!)));
      expect(worst, spec.kind).toBeLessThan(1e-5);
      // The forecast follows each window's level: not the learner's output alone.
      const level = x[norm.targetLagOffset + norm.lookback - 1]!;
      expect(Math.abs(onnx[0]! - level), spec.kind).toBeLessThan(5);
    }
  });

  it('refuses a spec whose windowNorm does not fit, or that carries two transforms', () => {
    const { norm, io } = CASES[0]!;
    const gbdt = { ...randomGbdtSpec({ trees: 4, depth: 2, seed: 1, ...io }), windowNorm: norm };
    const mlp = { ...randomMlpSpec({ hidden: 4, seed: 1, skip: false, ...io }), windowNorm: norm };
    for (const spec of [gbdt, mlp]) {
      const refuse = (patch: object, message: RegExp) => {
        expect(() => exportModel({ ...spec, ...patch })).toThrow(ModelError);
        expect(() => exportModel({ ...spec, ...patch })).toThrow(message);
      };
      refuse({ windowNorm: { ...norm, seasonSteps: 200 } }, /1 <= seasonSteps <= lookback, got 200 and 168/);
      refuse({ windowNorm: { ...norm, targetLagOffset: 100 } }, /target lags \[100, 268\) exceed the 264/);
      refuse({ windowNorm: { ...norm, eps: [0] } }, /eps must hold 1 positive values/);
      refuse({ residualOf: new Int32Array(24) }, /residualOf and windowNorm are two transforms/);
    }
  });
});
