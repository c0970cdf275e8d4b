/** Combine per-model forecasts element-wise: mean, median, or with weights learned on validation. */
import type { EnsembleWeights } from './ensemble-weights.js';
import { ModelError } from './errors.js';
import type { EnsembleStrategy } from './schemas/forecaster-config.js';

/** For `weighted` and `best`: the learned weights and how many outputs (`horizon·targets`) a window has. */
export interface LearnedCombination {
  weights: EnsembleWeights;
  /** Member labels in the order of `members`. */
  labels: readonly string[];
  nOut: number;
}

function mixing(strategy: 'weighted' | 'best', learned: LearnedCombination | undefined): Float64Array[] {
  if (!learned) {
    throw new ModelError(
      `ensemble "${strategy}" needs weights learned on a validation split; this checkpoint has none ` +
        '(trained without validation windows, or before learned ensembles): use "mean" or "median", or retrain',
      { ensemble: strategy },
    );
  }
  const { weights, labels, nOut } = learned;
  const index = labels.map((label) => weights.models.indexOf(label));
  if (index.some((i) => i < 0) || labels.length !== weights.models.length) {
    throw new ModelError(`ensemble weights are for ${weights.models.join(', ')}, not ${labels.join(', ')}`, {
      ensemble: strategy,
    });
  }
  if (strategy === 'weighted' && weights.weighted.length !== nOut) {
    throw new ModelError(`ensemble weights have ${weights.weighted.length} rows, the model ${nOut} outputs`, {
      ensemble: strategy,
    });
  }
  return Array.from({ length: nOut }, (_, o) =>
    Float64Array.from(labels, (label, m) =>
      strategy === 'best' ? (label === weights.best ? 1 : 0) : weights.weighted[o]![index[m]!]!,
    ),
  );
}

/**
 * Element-wise combination of equally shaped arrays laid out `[window, output]`. `mean` and `median` ignore NaN
 * members; `weighted` renormalises the weights of the members present (NaN when none with weight is), `best`
 * is its best member.
 * @throws ModelError for `weighted` or `best` without learned weights that fit the members.
 */
export function combine(
  members: readonly Float64Array[],
  strategy: EnsembleStrategy,
  learned?: LearnedCombination,
): Float64Array {
  if (members.length === 0) throw new RangeError('an ensemble needs at least one member');
  const len = members[0]!.length;
  const out = new Float64Array(len);
  if (strategy === 'weighted' || strategy === 'best') {
    const rows = mixing(strategy, learned);
    const nOut = rows.length;
    for (let i = 0; i < len; i++) {
      const w = rows[i % nOut]!;
      let s = 0;
      let total = 0;
      for (let m = 0; m < members.length; m++) {
        const v = members[m]![i]!;
        if (w[m]! > 0 && !Number.isNaN(v)) {
          s += w[m]! * v;
          total += w[m]!;
        }
      }
      out[i] = total > 0 ? s / total : Number.NaN;
    }
    return out;
  }
  const buf = new Float64Array(members.length);
  for (let i = 0; i < len; i++) {
    let k = 0;
    for (const m of members) {
      const v = m[i]!;
      if (!Number.isNaN(v)) buf[k++] = v;
    }
    if (k === 0) out[i] = Number.NaN;
    else if (strategy === 'mean') {
      let s = 0;
      for (let j = 0; j < k; j++) s += buf[j]!;
      out[i] = s / k;
    } else {
      const sorted = buf.subarray(0, k).sort();
      out[i] = k % 2 === 1 ? sorted[(k - 1) >> 1]! : (sorted[k / 2 - 1]! + sorted[k / 2]!) / 2;
    }
  }
  return out;
}
