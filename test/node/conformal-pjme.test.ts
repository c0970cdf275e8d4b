/**
 * PJME day-ahead (reference protocol): the default `cv_plus` calibration keeps the 90 % intervals of the
 * seasonal naives, ridge and every ensemble strategy within 85–95 % on the test split (issue 14).
 */
import { describe, expect, it } from 'vitest';
import { coverage90, ENSEMBLE_KEYS, REFERENCE_MODELS } from './conformal-protocol.js';

describe('PJME: 90 % coverage under cv_plus (default)', () => {
  it('seasonal naive 1D/7D, linear and the mean/median/weighted/best ensembles cover 0.85–0.95', async () => {
    const { coverage, method, folds, span } = await coverage90('pjme', REFERENCE_MODELS);
    console.log('PJME 90 % coverage (cv_plus):', coverage);
    expect({ method, folds, span }).toEqual({ method: 'cv-plus-absolute-residual', folds: 4, span: 'whole' });
    expect(Object.keys(coverage).sort()).toEqual(
      ['linear', 'seasonal_naive_1D', 'seasonal_naive_7D', ...ENSEMBLE_KEYS].sort(),
    );
    for (const [model, c] of Object.entries(coverage)) {
      expect(c, model).toBeGreaterThanOrEqual(0.85);
      expect(c, model).toBeLessThanOrEqual(0.95);
    }
  }, 900_000); // 145,392 rows: ridge and four fold refits, minutes on the shared machine
});
