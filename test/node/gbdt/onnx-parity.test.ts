/** A trained multi-output GBDT exported to ONNX predicts what the trainer predicts (relative error <= 1e-5), NaNs included. */
import { describe, expect, it } from 'vitest';
import { predictGbdt, trainGbdt } from '../../../src/node/trainers/gbdt/index.js';
import { exportModel, predictInMemory } from '../../../src/runtime/models/export.js';
import { createOnnxEngine } from '../../../src/runtime/onnx/engine.js';
import { mulberry32 } from '../../../src/runtime/synthetic.js';

/** Standardised lag-like features (10 % missing) and `horizon × nTargets` standardised targets. */
function windows(n: number, F: number, O: number, seed: number) {
  const rand = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const x = new Float64Array(n * F);
  const y = new Float64Array(n * O);
  for (let r = 0; r < n; r++) {
    for (let f = 0; f < F; f++) x[r * F + f] = rand() < 0.1 ? Number.NaN : normal();
    const v = (f: number) => (Number.isNaN(x[r * F + f]!) ? 0.5 : x[r * F + f]!);
    for (let o = 0; o < O; o++) {
      y[r * O + o] = 0.6 * v(o % F) + Math.sin(v(1) * (1 + o / 3)) + 0.4 * v(2) * v(3) + 0.3 * normal();
    }
  }
  return { x, y, n };
}

describe('gbdt ONNX parity', () => {
  it('ONNX (float32, one TreeEnsembleRegressor) equals the trainer on realistic magnitudes', async () => {
    const F = 12;
    const horizon = 3;
    const nTargets = 2;
    const O = horizon * nTargets;
    const train = windows(3000, F, O, 1);
    const test = windows(1000, F, O, 2);
    const fit = await trainGbdt(
      { ...train, nFeatures: F, nOutputs: O },
      { numTrees: 60, learningRate: 0.1, numLeaves: 31, threads: 2, seed: 9 },
      { label: 'gbdt', horizon, nTargets },
    );
    expect(fit.strategy).toBe('outputs');
    const bytes = exportModel(fit.spec);
    const model = await createOnnxEngine().load(bytes, 'gbdt');
    const check = async (x: Float64Array, n: number, trainer: Float64Array) => {
      const onnx = await model.run(Float32Array.from(x), n, F);
      expect(onnx.length).toBe(n * O);
      // In target units, as the forecaster's inverse scaling gives them: mean 30000, std 5000.
      const mean = 30000;
      const scale = 5000;
      let maxRel = 0;
      let maxAbs = 0;
      for (let k = 0; k < onnx.length; k++) {
        const a = onnx[k]! * scale + mean;
        const b = trainer[k]! * scale + mean;
        maxRel = Math.max(maxRel, Math.abs(a - b) / Math.max(Math.abs(b), 1e-6 * scale));
        maxAbs = Math.max(maxAbs, Math.abs(onnx[k]! - trainer[k]!));
      }
      return { maxRel, maxAbs };
    };
    // The trainer's own predictions on its training rows (computed on bins) and on new rows.
    const onTrain = await check(train.x, train.n, fit.trainPredictions);
    const reference = predictGbdt(fit.spec, test.x, test.n);
    expect(Array.from(predictInMemory(fit.spec, test.x, test.n))).toEqual(Array.from(reference));
    const onTest = await check(test.x, test.n, reference);
    await model.release();
    console.info(
      `gbdt parity (${fit.spec.treeOutputs.length} trees, ${O} outputs, ${bytes.length} bytes): max relative error ` +
        `${onTrain.maxRel.toExponential(2)} (train), ${onTest.maxRel.toExponential(2)} (test); ` +
        `max |Δ| in scaled space ${Math.max(onTrain.maxAbs, onTest.maxAbs).toExponential(2)}`,
    );
    expect(onTrain.maxRel).toBeLessThanOrEqual(1e-5);
    expect(onTest.maxRel).toBeLessThanOrEqual(1e-5);
    expect(Math.max(onTrain.maxAbs, onTest.maxAbs)).toBeLessThan(1e-5);
  });
});
