/**
 * PJME day-ahead GBDT with the seasonal-residual transform under the reference protocol (issue 14), with the cheap
 * settings of `FAST_GBDT` (every fifth window, 63 bins, half the rows per tree), beside our ridge, and the ensemble
 * learned on validation. The bar (GBDT below ridge per step's 1361.1) is met only by 300 trees on every
 * window (1360.0, 45 minutes here; docs/benchmarks.md); these settings land 3.6 % above it, and this test holds them
 * there.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../src/node/evaluate.js';
import { createLogger } from '../../src/node/log.js';
import { train } from '../../src/node/train.js';
import { PROTOCOL } from './conformal-protocol.js';
import { SHARED_DATA, tempFiles } from './data/fixtures.js';
import { FAST_GBDT } from './fast-gbdt.js';

const files = tempFiles();
afterAll(() => files.cleanup());

describe('PJME, GBDT with seasonal_residual (FAST_GBDT)', () => {
  it('within 6.5 % of ridge per step (1361.1); the weighted ensemble with ridge beats all three; intervals calibrated', async () => {
    const d = PROTOCOL.pjme;
    const data = join(SHARED_DATA, d.file);
    await train({
      logger: createLogger({ quiet: true }),
      config: {
        data: { path: data },
        pipeline: { target: d.target, timeColumn: d.time, horizon: 24, lookback: 168 },
        models: [{ name: 'linear' }, { name: 'gbdt', ...FAST_GBDT, transform: 'seasonal_residual' }],
        train: {
          checkpointRoot: files.dir,
          name: 'pjme',
          ensemble: 'weighted',
          split: { trainEnd: d.trainEnd, testStart: d.testStart },
          // The validation tail alone: cv_plus would refit the trees four more times.
          conformal: { method: 'split' },
        },
      },
    });
    const report = await evaluate({ checkpoint: join(files.dir, 'pjme'), data, levels: [0.9] });
    const mae = (m: string) => report.metrics[m]!['mae']!;
    console.info(
      `PJME: gbdt ${mae('gbdt').toFixed(1)}, linear ${mae('linear').toFixed(1)}, weighted ensemble ${mae('ensemble').toFixed(1)}`,
    );
    // Measured: gbdt 1410.7 (90 % coverage 0.907), linear 1336.0, weighted ensemble 1295.0; 814 s under load ~20
    // on the shared 2-core machine (the GBDT fit is most of it).
    expect(mae('linear')).toBeCloseTo(1336.0, 0);
    expect(mae('gbdt')).toBeLessThan(1.065 * 1361.1);
    expect(mae('ensemble')).toBeLessThan(mae('gbdt'));
    expect(mae('ensemble')).toBeLessThan(mae('linear'));
    expect(mae('ensemble')).toBeLessThan(1361.1);
    for (const model of ['gbdt', 'ensemble']) {
      const coverage = report.intervals![model]!['0.9']!.coverage;
      expect(coverage, model).toBeGreaterThanOrEqual(0.85);
      expect(coverage, model).toBeLessThanOrEqual(0.95);
    }
  }, 1_800_000); // a fraction of that on free cores; the loaded shared machine needed 814 s
});
