/** The GBDT benchmark's data: a seeded nonlinear regression with interactions and noise, and R². */
import { mulberry32 } from '../src/runtime/synthetic.js';

/** Rows × features, float32-representable (what ONNX and xgboost see), with targets. */
export interface Regression {
  x: Float64Array;
  y: Float64Array;
  n: number;
  nFeatures: number;
}

/**
 * `n × 50` features: 30 standard normals, 10 uniforms on [-2, 2], 10 noisy copies of the first 10.
 * The target mixes smooth, thresholded and interacting terms of 14 of them, plus N(0, 0.5²) noise;
 * the other 36 features are distractors.
 */
export function syntheticRegression(n: number, seed: number): Regression {
  const F = 50;
  const rand = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const x = new Float64Array(n * F);
  const y = new Float64Array(n);
  const row = new Float64Array(F);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < 30; j++) row[j] = normal();
    for (let j = 30; j < 40; j++) row[j] = 4 * rand() - 2;
    for (let j = 40; j < 50; j++) row[j] = 0.7 * row[j - 40]! + 0.3 * normal();
    for (let j = 0; j < F; j++) row[j] = Math.fround(row[j]!);
    x.set(row, r * F);
    const v = row;
    y[r] =
      2 * Math.sin(v[0]!) +
      v[1]! * v[2]! +
      Math.abs(v[3]!) +
      0.5 * v[4]! * v[4]! +
      (v[5]! > 0 ? v[6]! : -0.5 * v[6]!) +
      1.5 * Math.tanh(v[7]! + v[8]!) +
      (v[30]! > 0.5 ? v[9]! : 0) +
      0.5 * Math.cos(v[10]! * v[11]!) +
      0.3 * (v[31]! + v[32]! - v[12]!) +
      0.5 * normal();
  }
  return { x, y, n, nFeatures: F };
}

/** Coefficient of determination of `pred` against `y`. */
export function r2(y: Float64Array, pred: Float64Array): number {
  let mean = 0;
  for (let i = 0; i < y.length; i++) mean += y[i]!;
  mean /= y.length;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < y.length; i++) {
    ssRes += (y[i]! - pred[i]!) ** 2;
    ssTot += (y[i]! - mean) ** 2;
  }
  return 1 - ssRes / ssTot;
}
