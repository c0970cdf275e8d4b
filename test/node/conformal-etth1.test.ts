/**
 * ETTh1 `OT` day-ahead (reference protocol): the default `cv_plus` calibration (folds over the whole span) keeps the
 * 90 % intervals of every model — GBDT untransformed and with every default (its seasonal-residual transform), the
 * seasonal naives, ridge — and every ensemble strategy within 85–95 % on the test split (issue 14). The default GBDT's
 * accuracy is asserted on the same fit: a model's forecasts and conformal table do not depend on the others beside it.
 */
import { describe, expect, it } from 'vitest';
import { coverage90, ENSEMBLE_KEYS, GBDT_MODELS, REFERENCE_MODELS } from './conformal-protocol.js';

// One fit and its evaluation for both tests.
let report: ReturnType<typeof coverage90> | undefined;
const etth1 = () => {
  report ??= coverage90('etth1', [...GBDT_MODELS, ...REFERENCE_MODELS]);
  return report;
};

describe('ETTh1 OT: 90 % coverage under cv_plus (default)', () => {
  it('gbdt (transform none and default), seasonal naive 1D/7D, linear and every ensemble cover 0.85–0.95', async () => {
    const { coverage, method, folds, span } = await etth1();
    console.log('ETTh1 90 % coverage (cv_plus):', coverage);
    expect({ method, folds, span }).toEqual({ method: 'cv-plus-absolute-residual', folds: 4, span: 'whole' });
    expect(Object.keys(coverage).sort()).toEqual(
      ['gbdt_none', 'gbdt', 'linear', 'seasonal_naive_1D', 'seasonal_naive_7D', ...ENSEMBLE_KEYS].sort(),
    );
    // Measured: gbdt_none 0.904 (0.765 with the folds on the second half only), gbdt 0.912 (80 trees at 0.1: 0.903).
    for (const [model, c] of Object.entries(coverage)) {
      expect(c, model).toBeGreaterThanOrEqual(0.85);
      expect(c, model).toBeLessThanOrEqual(0.95);
    }
  }, 2_400_000); // two GBDTs and four fold refits of every model: ~30 min on the loaded shared machine

  it('--models gbdt (default settings) beats the untransformed trees (2.349) and the one-day seasonal naive', async () => {
    const { coverage, mae } = await etth1();
    console.info(
      `ETTh1: gbdt (defaults) MAE ${mae['gbdt']!.toFixed(4)}, gbdt_none ${mae['gbdt_none']!.toFixed(4)}`,
    );
    // Measured: 1.592 with the default transform (auto → seasonal_residual, 1 day), 2.340 with transform none;
    // 90 % coverage 0.881 under cv_plus with folds on the second half (0.866 under split), and under the default
    // (folds over the whole span) within 0.85–0.95.
    expect(mae['gbdt']).toBeLessThan(1.646);
    expect(coverage['gbdt']).toBeGreaterThanOrEqual(0.85);
    expect(coverage['gbdt']).toBeLessThanOrEqual(0.95);
  }, 2_400_000); // reads the fit above (or trains it, run alone)
});
