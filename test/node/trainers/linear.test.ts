import { Matrix, solve } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/runtime/synthetic.js';
import { GramAccumulator } from '../../../src/runtime/train/gram.js';
import { solveRidge } from '../../../src/runtime/train/linear.js';

function randomProblem(n: number, F: number, O: number, seed: number) {
  const rand = mulberry32(seed);
  const x = Float64Array.from({ length: n * F }, () => rand() * 4 - 1);
  const w = Float64Array.from({ length: F * O }, () => rand() * 2 - 1);
  const y = new Float64Array(n * O);
  for (let r = 0; r < n; r++) {
    for (let o = 0; o < O; o++) {
      let s = 0.5 * o;
      for (let i = 0; i < F; i++) s += x[r * F + i]! * w[i * O + o]!;
      y[r * O + o] = s + (rand() - 0.5) * 0.1;
    }
  }
  return { x, y };
}

describe('GramAccumulator', () => {
  it('accumulates XᵀX and XᵀY across blocks exactly as one pass', () => {
    const { x, y } = randomProblem(37, 5, 2, 1);
    const acc = new GramAccumulator(5, 2);
    acc.add(x.subarray(0, 16 * 5), y.subarray(0, 16 * 2), 16);
    acc.add(x.subarray(16 * 5), y.subarray(16 * 2), 21);
    const X = new Matrix(Array.from({ length: 37 }, (_, r) => Array.from(x.subarray(r * 5, r * 5 + 5))));
    const Y = new Matrix(Array.from({ length: 37 }, (_, r) => Array.from(y.subarray(r * 2, r * 2 + 2))));
    const xtx = X.transpose().mmul(X);
    const xty = X.transpose().mmul(Y);
    for (let i = 0; i < 5; i++) {
      for (let j = i; j < 5; j++) expect(acc.xtx[i * 5 + j]).toBeCloseTo(xtx.get(i, j), 10);
      for (let o = 0; o < 2; o++) expect(acc.xty[i * 2 + o]).toBeCloseTo(xty.get(i, o), 10);
    }
    expect(acc.n).toBe(37);
  });

  it('sums each entry in one fixed order (four partial sums by row mod 4), so refits are bit for bit the same', () => {
    // Odd F and rows not a multiple of 4: the unpaired last column and the row tail are covered.
    const n = 23;
    const F = 7;
    const { x, y } = randomProblem(n, F, 1, 3);
    const acc = new GramAccumulator(F, 1);
    acc.add(x, y, n);
    for (let i = 0; i < F; i++) {
      for (let j = i; j < F; j++) {
        const s = [0, 0, 0, 0];
        for (let r = 0; r < n; r++) s[r < n - (n % 4) ? r % 4 : 0]! += x[r * F + i]! * x[r * F + j]!;
        expect(acc.xtx[i * F + j], `xtx[${i}, ${j}]`).toBe(s[0]! + s[1]! + s[2]! + s[3]!);
      }
      let s = 0;
      for (let r = 0; r < n; r++) s += x[r * F + i]! * y[r]!;
      expect(acc.xty[i], `xty[${i}]`).toBe(s);
    }
  });
});

describe('solveRidge', () => {
  it('recovers an exact linear relation when alpha = 0', () => {
    // y = 2·x0 − 3·x1 + 5 on a small grid
    const rows = [
      [0, 0],
      [1, 0],
      [0, 1],
      [2, 3],
      [-1, 4],
    ];
    const acc = new GramAccumulator(2, 1);
    acc.add(
      Float64Array.from(rows.flat()),
      Float64Array.from(rows.map(([a, b]) => 2 * a! - 3 * b! + 5)),
      rows.length,
    );
    const { weights, bias } = solveRidge(acc, 0);
    expect(weights[0]).toBeCloseTo(2, 10);
    expect(weights[1]).toBeCloseTo(-3, 10);
    expect(bias[0]).toBeCloseTo(5, 10);
  });

  it('matches ridge on explicitly standardised features (scikit-learn StandardScaler + Ridge)', () => {
    const n = 200;
    const F = 6;
    const O = 3;
    const alpha = 25;
    const { x, y } = randomProblem(n, F, O, 7);
    const acc = new GramAccumulator(F, O);
    acc.add(x, y, n);
    const { weights, bias } = solveRidge(acc, alpha);
    // Independent route: centre + scale X by population std, centre Y, solve (ZᵀZ + αI)W = ZᵀYc.
    const X = new Matrix(Array.from({ length: n }, (_, r) => Array.from(x.subarray(r * F, (r + 1) * F))));
    const Y = new Matrix(Array.from({ length: n }, (_, r) => Array.from(y.subarray(r * O, (r + 1) * O))));
    const mu = X.mean('column');
    const sd = X.standardDeviation('column', { unbiased: false });
    const Z = X.clone();
    for (let r = 0; r < n; r++) for (let i = 0; i < F; i++) Z.set(r, i, (X.get(r, i) - mu[i]!) / sd[i]!);
    const ymu = Y.mean('column');
    const Yc = Y.clone();
    for (let r = 0; r < n; r++) for (let o = 0; o < O; o++) Yc.set(r, o, Y.get(r, o) - ymu[o]!);
    const A = Z.transpose().mmul(Z).add(Matrix.eye(F).mul(alpha));
    const Ws = solve(A, Z.transpose().mmul(Yc));
    for (let i = 0; i < F; i++) {
      for (let o = 0; o < O; o++) expect(weights[i * O + o]).toBeCloseTo(Ws.get(i, o) / sd[i]!, 9);
    }
    for (let o = 0; o < O; o++) {
      const b = ymu[o]! - mu.reduce((s, m, i) => s + (m * Ws.get(i, o)) / sd[i]!, 0);
      expect(bias[o]).toBeCloseTo(b, 9);
    }
  });

  it('gives a constant feature zero weight instead of failing', () => {
    const rows = [1, 5, 2, 5, 3, 5, 4, 5];
    const acc = new GramAccumulator(2, 1);
    acc.add(Float64Array.from(rows), Float64Array.from([2, 4, 6, 8]), 4);
    const { weights, bias, usedSvd } = solveRidge(acc, 1e-9);
    expect(usedSvd).toBe(false);
    expect(weights[0]).toBeCloseTo(2, 6);
    expect(weights[1]).toBe(0);
    expect(bias[0]).toBeCloseTo(0, 6);
  });
});
