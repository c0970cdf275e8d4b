/** The quantile (pinball) objective: ordered quantiles and calibrated coverage on heteroscedastic noise. */
import { describe, expect, it } from 'vitest';
import { predictGbdt, trainGbdt } from '../../../src/node/trainers/gbdt/index.js';
import { mulberry32 } from '../../../src/runtime/synthetic.js';

/** y = 2·x0 + (0.5 + x0)·ε, ε ~ N(0, 1): the spread grows with x0; x1 is a distractor. */
function noisy(n: number, seed: number) {
  const rand = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const x = new Float64Array(n * 2);
  const y = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const x0 = rand();
    x[2 * r] = x0;
    x[2 * r + 1] = rand();
    y[r] = 2 * x0 + (0.5 + x0) * normal();
  }
  return { x, y, n };
}

describe('quantile objective', () => {
  const train = noisy(6000, 1);
  const test = noisy(6000, 2);
  const fitAt = async (alpha: number) => {
    const fit = await trainGbdt(
      { ...train, nFeatures: 2, nOutputs: 1 },
      {
        objective: 'quantile',
        alpha,
        numTrees: 80,
        learningRate: 0.1,
        numLeaves: 8,
        minDataInLeaf: 50,
        threads: 1,
      },
    );
    expect(fit.spec.objective).toBe('quantile');
    expect(fit.spec.alpha).toBe(alpha);
    return predictGbdt(fit.spec, test.x, test.n);
  };

  it('orders q10 <= q50 <= q90 and covers about 10 %, 50 % and 90 % of held-out points', async () => {
    const [q10, q50, q90] = await Promise.all([fitAt(0.1), fitAt(0.5), fitAt(0.9)]);
    const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(q10)).toBeLessThan(mean(q50));
    expect(mean(q50)).toBeLessThan(mean(q90));
    let ordered = 0;
    const below = [0, 0, 0];
    let err90 = 0;
    for (let r = 0; r < test.n; r++) {
      if (q10[r]! <= q50[r]! && q50[r]! <= q90[r]!) ordered++;
      if (test.y[r]! <= q10[r]!) below[0]!++;
      if (test.y[r]! <= q50[r]!) below[1]!++;
      if (test.y[r]! <= q90[r]!) below[2]!++;
      const x0 = test.x[2 * r]!;
      err90 += Math.abs(q90[r]! - (2 * x0 + 1.2816 * (0.5 + x0)));
    }
    const coverage = below.map((b) => b / test.n);
    console.info(
      `quantile coverage on ${test.n} held-out points: q10 ${coverage[0]!.toFixed(3)}, q50 ${coverage[1]!.toFixed(3)}, q90 ${coverage[2]!.toFixed(3)}`,
    );
    expect(ordered / test.n).toBeGreaterThan(0.97);
    expect(coverage[0]).toBeCloseTo(0.1, 1);
    expect(coverage[1]).toBeCloseTo(0.5, 1);
    expect(Math.abs(coverage[2]! - 0.9)).toBeLessThan(0.025);
    // The fitted q90 tracks the true conditional quantile (spread 0.5 … 1.5).
    expect(err90 / test.n).toBeLessThan(0.2);
  });
});
