/** The batch check every engine runs before inference: shape numbers and buffer length, named in the error. */
import { ModelError } from '../errors.js';

/**
 * @returns the error context (label, shape, length) for the engine's own later errors.
 * @throws ModelError (`INFERENCE_ERROR`) when `nRows`/`nFeatures` are not non-negative integers or `features`
 *   does not hold `nRows × nFeatures` values.
 */
export function checkBatch(label: string, features: Float32Array, nRows: number, nFeatures: number) {
  const shape = [nRows, nFeatures];
  const context = { label, shape, length: features.length };
  if (!Number.isInteger(nRows) || nRows < 0 || !Number.isInteger(nFeatures) || nFeatures < 0) {
    throw new ModelError(
      `model "${label}": nRows and nFeatures must be non-negative integers, got [${shape.join(', ')}]`,
      context,
      undefined,
      'INFERENCE_ERROR',
    );
  }
  if (features.length !== nRows * nFeatures) {
    throw new ModelError(
      `model "${label}": expected features of shape [${nRows}, ${nFeatures}] (${nRows * nFeatures} values), got ${features.length} values`,
      context,
      undefined,
      'INFERENCE_ERROR',
    );
  }
  return context;
}
