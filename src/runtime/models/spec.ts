/** Trained model specs: the plain data a trainer produces and the ONNX exporter consumes. */

/** Every exported model maps `features: float32[N, nFeatures]` to `forecast: float32[N, horizon * nTargets]`
 * in the target scaler's space; output index `h * nTargets + t` is step `h` of target `t`. */
export interface ModelIO {
  nFeatures: number;
  horizon: number;
  nTargets: number;
}

/**
 * `window_norm`: per window and target, `m` = mean of the last `seasonSteps` target lags and
 * `s = sqrt(var + eps²)` of the same lags; the learner sees the target lags as `(x − m) / s` (other features
 * unchanged) and its output `p` is served as `m + s · p`. Computed inside the exported graph.
 */
export interface WindowNorm {
  seasonSteps: number;
  lookback: number;
  /** Index of the first target-lag feature (each target's `lookback` lags follow one another). */
  targetLagOffset: number;
  /** Per target, the floor of the scale, in the target scaler's space. */
  eps: number[];
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

/**
 * Gradient-boosted regression trees, one ensemble per output. Trees are stored back to back in flat
 * node arrays; child indices are local to their tree (node 0 is the root). A branch sends a row to
 * `nodeLeft` when `float32(x[nodeFeature]) <= nodeThreshold`, or when x is NaN and `nodeMissingLeft` is 1.
 */
export interface GbdtSpec extends ModelIO {
  kind: 'gbdt';
  label: string;
  objective: 'squared_error' | 'quantile';
  /** Quantile level of the `quantile` objective. */
  alpha?: number;
  /** Starting value of each output, `[horizon * nTargets]`. */
  baseValues: Float64Array;
  /** Output index each tree adds to, `[nTrees]`. */
  treeOutputs: Int32Array;
  /** First node of each tree in the node arrays, `[nTrees + 1]` (the last entry is the node count). */
  treeOffsets: Int32Array;
  /** Split feature per node; -1 marks a leaf. */
  nodeFeature: Int32Array;
  /** Split threshold per node (float32, so ONNX compares exactly as the trainer did). */
  nodeThreshold: Float32Array;
  nodeLeft: Int32Array;
  nodeRight: Int32Array;
  /** 1 when a missing (NaN) value follows the left branch. */
  nodeMissingLeft: Uint8Array;
  /** Leaf output (learning rate applied); 0 on branches. */
  nodeValue: Float64Array;
  /**
   * `seasonal_residual`: per output, the feature (a target lag one season back) the trees' sum is added to,
   * `[horizon * nTargets]`. Absent: the trees predict the output itself.
   */
  residualOf?: Int32Array;
  /** `window_norm`: the trees see normalised lags and fit `(y − m) / s` (see {@link WindowNorm}). */
  windowNorm?: WindowNorm;
}

/** One dense layer of an MLP: `out = in · weights + bias`, `weights` row-major `[inputs, outputs]`. */
export interface DenseLayer {
  inputs: number;
  outputs: number;
  weights: Float64Array;
  bias: Float64Array;
}

/**
 * A multi-layer perceptron: `z = (features − inputMean) · inputScale`, then dense layers with ReLU between them
 * (none after the last), plus, under `seasonal_residual`, the target lag at `residualOf[o]` for each output.
 */
export interface MlpSpec extends ModelIO {
  kind: 'mlp';
  label: string;
  /** Per feature, `[nFeatures]`: the training mean subtracted before the first layer. */
  inputMean: Float64Array;
  /** Per feature, `[nFeatures]`: 1 / training std (0 for a constant feature). */
  inputScale: Float64Array;
  layers: DenseLayer[];
  /**
   * A linear shortcut from the standardised inputs straight to the outputs (TiDE's global residual), added to the
   * last layer's output; its bias is zero. Absent: no shortcut.
   */
  skip?: DenseLayer;
  /** As {@link GbdtSpec.residualOf}: the lag feature each output is added to; absent, the net predicts y itself. */
  residualOf?: Int32Array;
  /** As {@link GbdtSpec.windowNorm}; `inputMean`/`inputScale` then standardise the normalised features. */
  windowNorm?: WindowNorm;
  /** What training did, recorded in the ONNX metadata: epochs run and the epoch whose weights were kept. */
  training: { epochs: number; bestEpoch: number; validationMae: number | null };
}

/** A trained model before export: what `exportModel` turns into an ONNX graph. */
export type ModelSpec = SeasonalNaiveSpec | LinearSpec | GbdtSpec | MlpSpec;
