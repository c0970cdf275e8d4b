/** Materialise the feature and target matrices of many windows (for trainers that need all rows at once). */
import { type FittedPipeline, type PreparedFrame, writeTargets, writeWindow } from '../features/pipeline.js';

export interface WindowMatrix {
  /** Row-major [n, nFeatures]. */
  x: Float64Array;
  /** Row-major [n, horizon · targets], in the target scaler's space. */
  y: Float64Array;
  n: number;
  /** Origins left out because a feature or target was missing. */
  skipped: number[];
}

export function windowMatrix(p: FittedPipeline, f: PreparedFrame, origins: readonly number[]): WindowMatrix {
  const F = p.layout.nFeatures;
  const O = p.config.horizon * p.config.target.length;
  const x = new Float64Array(origins.length * F);
  const y = new Float64Array(origins.length * O);
  const skipped: number[] = [];
  let n = 0;
  for (const origin of origins) {
    const ok = writeWindow(p, f, origin, x, n * F) && writeTargets(f, p.config.horizon, origin, y, n * O);
    if (ok) n++;
    else skipped.push(origin);
  }
  return { x: x.subarray(0, n * F), y: y.subarray(0, n * O), n, skipped };
}
