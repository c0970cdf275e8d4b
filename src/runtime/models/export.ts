/** One entry point per model kind: ONNX export and the in-memory float64 reference. */

import { ModelError } from '../errors.js';
import { gbdtToOnnx, predictGbdtSpec } from './gbdt.js';
import { linearToOnnx, predictLinear } from './linear.js';
import { mlpToOnnx, predictMlp } from './mlp.js';
import { predictSeasonalNaive, seasonalNaiveToOnnx } from './seasonal-naive.js';
import type { ModelSpec } from './spec.js';

function unknownKind(spec: never): never {
  const kind = (spec as { kind: unknown }).kind;
  throw new ModelError(`unknown model kind "${String(kind)}"`, { kind });
}

/** ONNX bytes for any model spec (`features: float32[N, nFeatures]` → `forecast: float32[N, horizon * nTargets]`). */
export function exportModel(spec: ModelSpec): Uint8Array {
  switch (spec.kind) {
    case 'seasonal_naive':
      return seasonalNaiveToOnnx(spec);
    case 'linear':
      return linearToOnnx(spec);
    case 'gbdt':
      return gbdtToOnnx(spec);
    case 'mlp':
      return mlpToOnnx(spec);
    default:
      return unknownKind(spec);
  }
}

/** The float64 forecast the exported model approximates, computed without ORT; `[nRows, horizon * nTargets]`. */
export function predictInMemory(spec: ModelSpec, features: Float64Array, nRows: number): Float64Array {
  switch (spec.kind) {
    case 'seasonal_naive':
      return predictSeasonalNaive(spec, features, nRows);
    case 'linear':
      return predictLinear(spec, features, nRows);
    case 'gbdt':
      return predictGbdtSpec(spec, features, nRows);
    case 'mlp':
      return predictMlp(spec, features, nRows);
    default:
      return unknownKind(spec);
  }
}
