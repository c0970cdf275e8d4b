/**
 * ETTh1 `OT` day-ahead (reference protocol): the default `cv_plus` calibration keeps the 90 % intervals of the
 * seasonal naives, ridge and every ensemble strategy within 85–95 % on the test split (issue 14).
 */
import { describe, expect, it } from 'vitest';
import { coverage90, REFERENCE_MODELS } from './conformal-protocol.js';

describe('ETTh1 OT: 90 % coverage under cv_plus (default)', () => {
  it('seasonal naive 1D/7D, linear and the mean/median/weighted/best ensembles cover 0.85–0.95', async () => {
    const { coverage, method, folds } = await coverage90('etth1', REFERENCE_MODELS);
    console.log('ETTh1 90 % coverage (cv_plus):', coverage);
    expect(method).toBe('cv-plus-absolute-residual');
    expect(folds).toBe(4);
    expect(Object.keys(coverage).sort()).toEqual(
      [
        'ensemble (best)',
        'ensemble (mean)',
        'ensemble (median)',
        'ensemble (weighted)',
        'linear',
        'seasonal_naive_1D',
        'seasonal_naive_7D',
      ].sort(),
    );
    for (const [model, c] of Object.entries(coverage)) {
      expect(c, model).toBeGreaterThanOrEqual(0.85);
      expect(c, model).toBeLessThanOrEqual(0.95);
    }
  }, 600_000);
});
