/** The linear ONNX export (float32) matches the float64 reference within 1e-5 relative error. */
import { describe, expect, it } from 'vitest';
import { ModelError } from '../../../src/runtime/errors.js';
import { exportModel, predictInMemory } from '../../../src/runtime/models/export.js';
import type { LinearSpec } from '../../../src/runtime/models/spec.js';
import { createOnnxEngine } from '../../../src/runtime/onnx/engine.js';

/** mulberry32 + Box–Muller: deterministic standard normals. */
function normals(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

describe('linear', () => {
  it('ONNX matches the float64 reference on realistic magnitudes (relative error <= 1e-5)', async () => {
    const randn = normals(42);
    const nFeatures = 200;
    const horizon = 24;
    const nTargets = 2;
    const nOut = horizon * nTargets;
    const nRows = 500;
    // Standardised lag features of an AR(1) series (phi 0.95): strongly correlated, like real lag windows.
    const series = new Float64Array(nRows + nFeatures);
    for (let i = 1; i < series.length; i++)
      series[i] = 0.95 * series[i - 1]! + Math.sqrt(1 - 0.95 ** 2) * randn();
    const f32 = new Float32Array(nRows * nFeatures);
    for (let r = 0; r < nRows; r++)
      for (let i = 0; i < nFeatures; i++) f32[r * nFeatures + i] = series[r + i]!;
    // Ridge-like weights: small, mixed signs; intercept near 0 in scaled space.
    const weights = new Float64Array(nFeatures * nOut).map(() => 0.08 * randn());
    const bias = new Float64Array(nOut).map(() => 0.1 * randn());
    const spec: LinearSpec = {
      kind: 'linear',
      label: 'ridge',
      nFeatures,
      horizon,
      nTargets,
      weights,
      bias,
      alpha: 1,
    };

    const reference = predictInMemory(spec, Float64Array.from(f32), nRows);
    const model = await createOnnxEngine().load(exportModel(spec), spec.label);
    const onnx = await model.run(f32, nRows, nFeatures);
    await model.release();

    // Back to target units, as the target scaler would: mean 30000, std 5000.
    const mean = 30000;
    const scale = 5000;
    let maxRel = 0;
    let maxAbsScaled = 0;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < reference.length; k++) {
      const a = onnx[k]! * scale + mean;
      const b = reference[k]! * scale + mean;
      maxRel = Math.max(maxRel, Math.abs(a - b) / Math.max(Math.abs(b), 1e-6 * scale));
      maxAbsScaled = Math.max(maxAbsScaled, Math.abs(onnx[k]! - reference[k]!));
      lo = Math.min(lo, b);
      hi = Math.max(hi, b);
    }
    console.info(
      `linear parity over ${reference.length} outputs in [${lo.toFixed(0)}, ${hi.toFixed(0)}]: ` +
        `max relative error ${maxRel.toExponential(3)}, max |Δ| in scaled space ${maxAbsScaled.toExponential(3)}`,
    );
    expect(maxRel).toBeLessThanOrEqual(1e-5);
  });

  it('rejects weights that do not match the declared shape', () => {
    const spec: LinearSpec = {
      kind: 'linear',
      label: 'bad',
      nFeatures: 3,
      horizon: 2,
      nTargets: 1,
      weights: new Float64Array(5),
      bias: new Float64Array(2),
      alpha: 0,
    };
    expect(() => exportModel(spec)).toThrow(ModelError);
    expect(() => predictInMemory(spec, new Float64Array(3), 1)).toThrow(/3 × 2/);
  });
});
