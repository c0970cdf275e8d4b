/** Trained model specs: the plain data a trainer produces and the ONNX exporter consumes. */

/** Every exported model maps `features: float32[N, nFeatures]` to `forecast: float32[N, horizon * nTargets]`
 * in the target scaler's space; output index `h * nTargets + t` is step `h` of target `t`. */
export interface ModelIO {
  nFeatures: number;
  horizon: number;
  nTargets: number;
}

/** Repeats the value one season back: forecast step h of target t reads lag feature
 * `targetLagOffset + t * lookback + lookback - seasonSteps + (h mod seasonSteps)`. */
export interface SeasonalNaiveSpec extends ModelIO {
  kind: 'seasonal_naive';
  label: string;
  seasonSteps: number;
  lookback: number;
  /** Index of the first target-lag feature in the feature vector. */
  targetLagOffset: number;
}

/** forecast = features · weights + bias; `weights` is row-major [nFeatures, horizon * nTargets]. */
export interface LinearSpec extends ModelIO {
  kind: 'linear';
  label: string;
  weights: Float64Array;
  bias: Float64Array;
  alpha: number;
}

export type ModelSpec = SeasonalNaiveSpec | LinearSpec;
