/** fitRounds: the hand-off estimate counts each GBDT's trees and 1 per closed-form model. */
import { describe, expect, it } from 'vitest';
import { fitRounds } from '../../../src/runtime/retrain/recipe.js';

describe('fitRounds', () => {
  it('adds GBDT trees (numTrees, its default when unset) and 1 per closed-form model', () => {
    expect(fitRounds([{ config: { name: 'linear', alpha: 1 } }])).toBe(1);
    expect(
      fitRounds([
        { config: { name: 'seasonal_naive', season: '1D' } },
        { config: { name: 'gbdt', numTrees: 40 } },
      ]),
    ).toBe(41);
    expect(fitRounds([{ config: { name: 'gbdt' } }])).toBe(300);
    // A model not trained by twiga-edge counts 1; no models still cost one round.
    expect(fitRounds([{ config: { kind: 'foreign' } }])).toBe(1);
    expect(fitRounds([])).toBe(1);
  });
});
