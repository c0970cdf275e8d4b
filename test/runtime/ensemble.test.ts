/** Ensembles: mean/median ignore NaN members; weighted and best follow the learned weights, or refuse without them. */
import { describe, expect, it } from 'vitest';
import { combine, type LearnedCombination } from '../../src/runtime/ensemble.js';
import { EnsembleWeightsSchema } from '../../src/runtime/ensemble-weights.js';
import { ModelError } from '../../src/runtime/errors.js';

const a = Float64Array.from([1, 2, 3, 4]); // two windows × two outputs
const b = Float64Array.from([3, 6, Number.NaN, 8]);
const learned: LearnedCombination = {
  weights: {
    models: ['a', 'b'],
    weighted: [
      [0.25, 0.75],
      [1, 0],
    ],
    best: 'b',
    windows: 10,
  },
  labels: ['a', 'b'],
  nOut: 2,
};

describe('combine', () => {
  it('mean and median skip NaN members', () => {
    expect(Array.from(combine([a, b], 'mean'))).toEqual([2, 4, 3, 6]);
    expect(Array.from(combine([a, b, a], 'median'))).toEqual([1, 2, 3, 4]);
  });
  it('weighted uses one row of weights per output, renormalised over the members present', () => {
    expect(Array.from(combine([a, b], 'weighted', learned))).toEqual([2.5, 2, 3, 4]);
  });
  it('best is the best member, NaN where it is', () => {
    expect(Array.from(combine([a, b], 'best', learned))).toEqual([3, 6, Number.NaN, 8]);
  });
  it('weighted and best without learned weights are a ModelError saying what to do', () => {
    expect(() => combine([a, b], 'weighted')).toThrow(ModelError);
    expect(() => combine([a, b], 'best')).toThrow(/needs weights learned on a validation split/);
  });
  it('weights for other members or another horizon are refused', () => {
    expect(() => combine([a, b], 'weighted', { ...learned, labels: ['a', 'c'] })).toThrow(
      /weights are for a, b/,
    );
    expect(() => combine([a, b], 'weighted', { ...learned, nOut: 3 })).toThrow(/2 rows, the model 3 outputs/);
  });
});

describe('EnsembleWeightsSchema', () => {
  it('refuses a best model that is not a member and rows of the wrong width', () => {
    expect(EnsembleWeightsSchema.safeParse({ ...learned.weights, best: 'c' }).success).toBe(false);
    expect(EnsembleWeightsSchema.safeParse({ ...learned.weights, weighted: [[1]] }).success).toBe(false);
    expect(
      EnsembleWeightsSchema.safeParse({
        ...learned.weights,
        weighted: [
          [-0.1, 1.1],
          [1, 0],
        ],
      }).success,
    ).toBe(false);
  });
});
