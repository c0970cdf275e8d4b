/** NNLS weights per output and the best member, learned at training and served from pipeline.json. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeDemoData } from '../../src/node/demo/net-load.js';
import { evaluate } from '../../src/node/evaluate.js';
import { predict } from '../../src/node/predict.js';
import { train } from '../../src/node/train.js';
import { fitEnsembleWeights, nnls } from '../../src/runtime/train/ensemble-weights.js';
import { xorshift32 } from '../runtime/drift/fixtures.js';
import { tempFiles } from './data/fixtures.js';

const files = tempFiles();
afterAll(() => files.cleanup());

describe('nnls', () => {
  const rnd = xorshift32(7);
  const n = 400;
  const x1 = Float64Array.from({ length: n }, () => rnd() * 10);
  const x2 = Float64Array.from({ length: n }, () => rnd() * 10);
  const y = Float64Array.from({ length: n }, (_, i) => 0.7 * x1[i]! + 0.3 * x2[i]! + (rnd() - 0.5) * 0.01);
  it('recovers non-negative weights', () => {
    const w = nnls([x1, x2], y);
    expect(w[0]).toBeCloseTo(0.7, 3);
    expect(w[1]).toBeCloseTo(0.3, 3);
  });
  it('clips to 0 a member that plain least squares would give a negative weight', () => {
    // y = 1.5·x1 − 0.5·x2 exactly, with x2 = x1 + noise: least squares says (1.5, −0.5); NNLS keeps x1 alone.
    const z = Float64Array.from({ length: n }, () => rnd() - 0.5);
    const x2n = Float64Array.from(x1, (v, i) => v + z[i]!);
    const target = Float64Array.from(x1, (v, i) => 1.5 * v - 0.5 * x2n[i]!);
    const w = nnls([x1, x2n], target);
    expect(w[1]).toBe(0);
    expect(w[0]).toBeCloseTo(1, 1);
  });
  it('skips non-finite rows', () => {
    const y2 = Float64Array.from(y);
    y2[3] = Number.NaN;
    expect(nnls([x1, x2], y2)[0]).toBeCloseTo(0.7, 3);
  });
});

describe('fitEnsembleWeights', () => {
  it('normalises each output’s weights to 1 and names the best member by MAE', () => {
    // 3 windows × 2 outputs; `good` is the actual plus 1, `bad` plus 5.
    const actual = Float64Array.from([1, 2, 3, 4, 5, 6]);
    const good = actual.map((v) => v + 1);
    const bad = actual.map((v) => v + 5);
    const w = fitEnsembleWeights({ good, bad }, ['good', 'bad'], actual, 2);
    expect(w.best).toBe('good');
    expect(w.windows).toBe(3);
    for (const row of w.weighted) expect(row[0]! + row[1]!).toBeCloseTo(1, 8);
  });
});

describe('training a learned ensemble', () => {
  it('records the weights, serves weighted and best, and best equals its member', async () => {
    const { history, tomorrow } = await writeDemoData(join(files.dir, 'demo'), 60);
    const base = {
      data: { path: history },
      pipeline: {
        target: 'net_load',
        period: '30min',
        horizon: '1D',
        lookback: '7D',
        exogenous: ['temperature'],
      },
      models: [
        { name: 'seasonal_naive' as const, season: '1D' },
        { name: 'seasonal_naive' as const, season: '7D' },
        { name: 'linear' as const },
      ],
    };
    const result = await train({
      config: { ...base, train: { checkpointRoot: join(files.dir, 'ck'), name: 'w', ensemble: 'weighted' } },
    });
    const pipeline = JSON.parse(readFileSync(join(result.checkpoint_path, 'pipeline.json'), 'utf8'));
    expect(pipeline.ensemble).toBe('weighted');
    expect(pipeline.ensemble_weights.models).toEqual(['seasonal_naive_1D', 'seasonal_naive_7D', 'linear']);
    expect(pipeline.ensemble_weights.weighted).toHaveLength(48);
    const { best: bestLabel, weighted: rows } = pipeline.ensemble_weights as {
      best: string;
      weighted: number[][];
    };
    const checkpoint = join(files.dir, 'ck', 'w');
    const best = await evaluate({ checkpoint, data: history, ensemble: 'best', levels: [0.9] });
    expect(best.metrics.ensemble).toEqual(best.metrics[bestLabel]);
    // Every strategy has its own conformal residuals: the best ensemble's band is its member's band.
    expect(Object.keys(pipeline.conformal.models)).toEqual(
      expect.arrayContaining([
        'ensemble',
        'ensemble:mean',
        'ensemble:median',
        'ensemble:weighted',
        'ensemble:best',
      ]),
    );
    expect(best.intervals!.ensemble!['0.9']).toEqual(best.intervals![bestLabel]!['0.9']);
    const median = await evaluate({ checkpoint, data: history, ensemble: 'median', levels: [0.9] });
    expect(median.intervals!.ensemble!['0.9']!.mean_width).not.toBe(
      best.intervals!.ensemble!['0.9']!.mean_width,
    );
    // The served ensemble is the weighted sum of the members with the recorded weights, step by step.
    const forecast = await predict({ checkpoint, data: tomorrow });
    const members = ['seasonal_naive_1D', 'seasonal_naive_7D', 'linear'].map(
      (m) => forecast.forecasts[m]!.net_load!,
    );
    const ensemble = forecast.forecasts.ensemble!.net_load!;
    ensemble.forEach((v, h) => {
      const total = rows[h]!.reduce((s, w) => s + w, 0); // weights are stored to 9 digits: sum 1 ± 1e-9
      const manual = members.reduce((s, m, j) => s + rows[h]![j]! * m[h]!, 0) / total;
      expect(Math.abs(v - manual)).toBeLessThan(1e-9 * Math.abs(manual));
    });
  });
});
