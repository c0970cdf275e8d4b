/** Seasonal naive model: its feature indices, its ONNX export (a Gather) and its float64 reference. */

import { ModelError } from '../errors.js';
import { buildModel } from '../onnx/writer.js';
import type { SeasonalNaiveSpec } from './spec.js';

/**
 * The feature read by each output: entry `h * nTargets + t` is the lag feature one season before step `h`
 * of target `t` (formula in {@link SeasonalNaiveSpec}). Shared by the export and the reference.
 * @throws ModelError when the spec is inconsistent (season longer than the lookback, index out of range).
 */
export function seasonalNaiveIndices(spec: SeasonalNaiveSpec): Int32Array {
  const { seasonSteps, lookback, targetLagOffset, horizon, nTargets, nFeatures } = spec;
  const ints = { seasonSteps, lookback, targetLagOffset, horizon, nTargets, nFeatures };
  for (const [name, value] of Object.entries(ints)) {
    const min = name === 'targetLagOffset' ? 0 : 1;
    if (!Number.isInteger(value) || value < min) {
      throw new ModelError(
        `seasonal naive "${spec.label}": ${name} must be an integer >= ${min}, got ${value}`,
        {
          label: spec.label,
          [name]: value,
        },
      );
    }
  }
  if (seasonSteps > lookback) {
    throw new ModelError(
      `seasonal naive "${spec.label}": season of ${seasonSteps} steps needs a lookback of at least ${seasonSteps}, got ${lookback}`,
      { label: spec.label, seasonSteps, lookback },
    );
  }
  const lastNeeded = targetLagOffset + nTargets * lookback - 1;
  if (lastNeeded >= nFeatures) {
    throw new ModelError(
      `seasonal naive "${spec.label}": target lags end at feature ${lastNeeded}, but there are only ${nFeatures} features`,
      { label: spec.label, targetLagOffset, nTargets, lookback, nFeatures },
    );
  }
  const indices = new Int32Array(horizon * nTargets);
  for (let h = 0; h < horizon; h++) {
    for (let t = 0; t < nTargets; t++) {
      indices[h * nTargets + t] = targetLagOffset + t * lookback + lookback - seasonSteps + (h % seasonSteps);
    }
  }
  return indices;
}

/** Exports the model as ONNX: `forecast = Gather(features, indices, axis=1)`. */
export function seasonalNaiveToOnnx(spec: SeasonalNaiveSpec): Uint8Array {
  const indices = seasonalNaiveIndices(spec);
  const nOut = indices.length;
  return buildModel({
    graph: {
      name: spec.label,
      nodes: [
        {
          opType: 'Gather',
          name: 'season_lag',
          inputs: ['features', 'lag_indices'],
          outputs: ['forecast'],
          attributes: { axis: { type: 'int', value: 1 } },
        },
      ],
      initializers: [{ name: 'lag_indices', dataType: 'int64', dims: [nOut], values: indices }],
      inputs: [{ name: 'features', elemType: 'float', shape: ['N', spec.nFeatures] }],
      outputs: [{ name: 'forecast', elemType: 'float', shape: ['N', nOut] }],
    },
    opsets: [{ domain: '', version: 17 }],
    producer: { name: 'twiga-edge' },
    metadata: { kind: spec.kind, label: spec.label },
  });
}

/** In-memory reference: `features` is row-major `[nRows, nFeatures]`; returns `[nRows, horizon * nTargets]`. */
export function predictSeasonalNaive(
  spec: SeasonalNaiveSpec,
  features: Float64Array,
  nRows: number,
): Float64Array {
  const indices = seasonalNaiveIndices(spec);
  checkFeatures(spec.label, features, nRows, spec.nFeatures);
  const nOut = indices.length;
  const out = new Float64Array(nRows * nOut);
  for (let r = 0; r < nRows; r++) {
    const row = r * spec.nFeatures;
    for (let j = 0; j < nOut; j++) out[r * nOut + j] = features[row + indices[j]!]!;
  }
  return out;
}

function checkFeatures(label: string, features: ArrayLike<number>, nRows: number, nFeatures: number): void {
  if (!Number.isInteger(nRows) || nRows < 0 || features.length !== nRows * nFeatures) {
    throw new ModelError(
      `model "${label}": expected features of shape [${nRows}, ${nFeatures}] (${nRows * nFeatures} values), got ${features.length} values`,
      { label, shape: [nRows, nFeatures], length: features.length },
    );
  }
}
