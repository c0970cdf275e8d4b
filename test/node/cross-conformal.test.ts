/** The pieces of `cv_plus` calibration: where the folds fall, and how their residuals are put on the tail's scale. */
import { describe, expect, it } from 'vitest';
import { CONFORMAL_GRID, halfWidth } from '../../src/runtime/conformal.js';
import {
  conformalFromSamples,
  foldBlocks,
  type ResidualSample,
  volatility,
} from '../../src/runtime/train/cross-conformal.js';

/** A one-output sample whose forecasts are 0 and whose actuals are `residuals`, over a series of `scale`. */
const sample = (residuals: number[], scale: number): ResidualSample => ({
  predictions: { m: new Float64Array(residuals.length) },
  actual: Float64Array.from(residuals),
  scale: Float64Array.of(scale),
});

describe('cross-conformal calibration', () => {
  it('tiles the second half of the rows before validation with equal blocks, the last one up to it', () => {
    expect(foldBlocks(1000, 4, 100, 'second_half')).toEqual([
      { fold: 0, cut: 500, end: 625 },
      { fold: 1, cut: 625, end: 750 },
      { fold: 2, cut: 750, end: 875 },
      { fold: 3, cut: 875, end: 1000 },
    ]);
    // A cut that leaves no room for a training window is dropped; the others keep their fold number.
    expect(foldBlocks(1000, 2, 600, 'second_half')).toEqual([{ fold: 1, cut: 750, end: 1000 }]);
  });

  it('spreads expanding-window origins over the whole span with `whole`', () => {
    expect(foldBlocks(1000, 4, 100, 'whole')).toEqual([
      { fold: 0, cut: 200, end: 400 },
      { fold: 1, cut: 400, end: 600 },
      { fold: 2, cut: 600, end: 800 },
      { fold: 3, cut: 800, end: 1000 },
    ]);
  });

  it('measures volatility as the mean |y[t] − y[t − lag]|, skipping missing values', () => {
    const frame = {
      time: new Float64Array(6),
      columns: { y: Float64Array.of(0, 1, 3, Number.NaN, 10, 14) },
    };
    // Rows 2..5 at lag 1: |3 − 1| = 2, then NaN, NaN, |14 − 10| = 4.
    expect(volatility(frame, ['y'], 2, 6, 1)[0]).toBe(3);
  });

  it('puts fold residuals on the validation tail scale (rescale), or pools them raw', () => {
    const tail = sample(
      Array.from({ length: 40 }, () => 1),
      1,
    );
    // A fold from a stretch twice as restless, where the model erred twice as much: the same relative error.
    const fold = sample(
      Array.from({ length: 40 }, () => 2),
      2,
    );
    const folds = { count: 1, stride: 1 };
    const rescaled = conformalFromSamples([tail, fold], 1, { ...folds, rescale: true });
    const raw = conformalFromSamples([tail, fold], 1, { ...folds, rescale: false });
    expect(rescaled).toMatchObject({ method: 'cv-plus-absolute-residual', folds: 1, rescaled: true });
    expect(rescaled.models['m']!.n).toEqual([80]);
    expect(halfWidth(rescaled.models['m']!, CONFORMAL_GRID, 0, 0.9)).toBe(1);
    expect(halfWidth(raw.models['m']!, CONFORMAL_GRID, 0, 0.9)).toBe(2);
    // No folds: the split method, the tail alone.
    expect(conformalFromSamples([tail], 1, { count: 0, stride: 1, rescale: false }).method).toBe(
      'split-conformal-absolute-residual',
    );
  });
});
