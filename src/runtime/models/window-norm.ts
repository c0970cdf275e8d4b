/**
 * The `window_norm` transform, in one place: its ONNX subgraph (what every platform serves) and the float64-side
 * arithmetic the trainers and references use, which rounds to float32 in the graph's op order so trees split on
 * exactly the features onnxruntime computes.
 */

import { mlasProduct } from '../lean/kernels.js';
import { attr, type OnnxNode, type OnnxTensor } from '../onnx/writer.js';
import type { ModelIO, WindowNorm } from './spec.js';

const f32 = Math.fround;

/** Why `norm` does not fit the model's layout, or `undefined` when it does. */
export function windowNormProblem(norm: WindowNorm, io: ModelIO): string | undefined {
  const { seasonSteps: S, lookback: L, targetLagOffset: off, eps } = norm;
  if (!Number.isInteger(S) || !Number.isInteger(L) || S < 1 || S > L)
    return `windowNorm needs 1 <= seasonSteps <= lookback, got ${S} and ${L}`;
  if (!Number.isInteger(off) || off < 0 || off + io.nTargets * L > io.nFeatures)
    return `windowNorm target lags [${off}, ${off + io.nTargets * L}) exceed the ${io.nFeatures} features`;
  if (eps.length !== io.nTargets || eps.some((e) => !(e > 0 && Number.isFinite(e))))
    return `windowNorm.eps must hold ${io.nTargets} positive values, got [${eps.join(', ')}]`;
  return undefined;
}

/** The constants of the subgraph: which lags, which target each lag and output belongs to, the mean weights. */
function constants(norm: WindowNorm, io: ModelIO) {
  const { seasonSteps: S, lookback: L } = norm;
  const T = io.nTargets;
  const season = new Int32Array(T * S);
  // `[T·S, T]`: 1/S where season lag row t·S + j meets its target's column t.
  const weights = new Float32Array(T * S * T);
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < S; j++) {
      season[t * S + j] = t * L + L - S + j;
      weights[(t * S + j) * T + t] = 1 / S;
    }
  }
  const lagTarget = Int32Array.from({ length: T * L }, (_, i) => Math.floor(i / L));
  const epsSquared = Float32Array.from(norm.eps, (e) => e * e);
  return { season, weights, lagTarget, epsSquared };
}

/** Per-window results of {@link normaliseWindows}: learner features and each window's `m`, `s` per target. */
export interface NormalisedWindows {
  /** `[n, nFeatures]`: target lags as `(x − m) / s` (float32 values), other features as given. */
  x: Float64Array;
  /** `[n, nTargets]` means and scales, float32 values. */
  mean: Float32Array;
  scale: Float32Array;
}

/**
 * What {@link windowNormGraph} computes, bit for bit: Gather, MLAS-order MatMul, float32 Sub/Mul/Div/Sqrt, and the
 * variance's MatMul + Add fused as onnxruntime fuses it.
 */
export function normaliseWindows(
  norm: WindowNorm,
  io: ModelIO,
  features: Float64Array,
  n: number,
): NormalisedWindows {
  const { season, weights, lagTarget, epsSquared } = constants(norm, io);
  const F = io.nFeatures;
  const T = io.nTargets;
  const K = T * norm.lookback;
  const TS = season.length;
  const off = norm.targetLagOffset;
  const x = new Float64Array(features);
  const lags = new Float32Array(n * K);
  for (let r = 0; r < n; r++) lags.set(features.subarray(r * F + off, r * F + off + K), r * K);
  const gathered = new Float32Array(n * TS);
  const gather = (from: Float32Array) => {
    for (let r = 0; r < n; r++) for (let j = 0; j < TS; j++) gathered[r * TS + j] = from[r * K + season[j]!]!;
    return gathered;
  };
  const mean = mlasProduct(gather(lags), n, TS, weights, T, undefined) as Float32Array;
  const centred = new Float32Array(n * K);
  for (let r = 0; r < n; r++)
    for (let i = 0; i < K; i++) centred[r * K + i] = lags[r * K + i]! - mean[r * T + lagTarget[i]!]!;
  const sq = gather(centred);
  for (let i = 0; i < sq.length; i++) sq[i] = sq[i]! * sq[i]!;
  const scale = mlasProduct(sq, n, TS, weights, T, epsSquared) as Float32Array;
  for (let i = 0; i < scale.length; i++) scale[i] = Math.sqrt(scale[i]!);
  for (let r = 0; r < n; r++)
    for (let i = 0; i < K; i++) x[r * F + off + i] = f32(centred[r * K + i]! / scale[r * T + lagTarget[i]!]!);
  return { x, mean, scale };
}

/** `(y − m) / s` per output: the targets a learner fits under `window_norm`. */
export function windowNormTargets(
  y: Float64Array,
  w: NormalisedWindows,
  io: ModelIO,
  n: number,
): Float64Array {
  const T = io.nTargets;
  const O = io.horizon * T;
  const out = new Float64Array(n * O);
  for (let r = 0; r < n; r++)
    for (let o = 0; o < O; o++) {
      const k = r * T + (o % T);
      out[r * O + o] = (y[r * O + o]! - w.mean[k]!) / w.scale[k]!;
    }
  return out;
}

/** `m + s · p` in place on the learner's outputs `[n, horizon · nTargets]` (float64 reference of the graph's). */
export function invertWindowNorm(
  out: Float64Array,
  w: NormalisedWindows,
  io: ModelIO,
  n: number,
): Float64Array {
  const T = io.nTargets;
  const O = io.horizon * T;
  for (let r = 0; r < n; r++)
    for (let o = 0; o < O; o++) {
      const k = r * T + (o % T);
      out[r * O + o] = w.mean[k]! + w.scale[k]! * out[r * O + o]!;
    }
  return out;
}

/** Nodes and initializers of a subgraph (names prefixed `wn_`). */
export interface Subgraph {
  nodes: OnnxNode[];
  initializers: (OnnxTensor & { name: string })[];
}

const gatherNode = (name: string, data: string, indices: string): OnnxNode => ({
  opType: 'Gather',
  name,
  inputs: [data, indices],
  outputs: [name],
  attributes: { axis: attr.int(1) },
});

const indexTensor = (name: string, values: ArrayLike<number>): OnnxTensor & { name: string } => ({
  name,
  dataType: 'int64',
  dims: [values.length],
  values: Array.from(values),
});

/**
 * `features` → `output`: the learner's input, target lags normalised per window (other columns concatenated back
 * unchanged). Leaves `wn_mean` and `wn_scale` (`[N, nTargets]`) for {@link windowNormInverse}.
 */
export function windowNormGraph(norm: WindowNorm, io: ModelIO, output: string): Subgraph {
  const { season, weights, lagTarget, epsSquared } = constants(norm, io);
  const F = io.nFeatures;
  const T = io.nTargets;
  const off = norm.targetLagOffset;
  const K = T * norm.lookback;
  const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
  const initializers = [
    indexTensor('wn_lag_index', range(off, off + K)),
    indexTensor('wn_season_index', season),
    indexTensor('wn_lag_target', lagTarget),
    { name: 'wn_weights', dataType: 'float' as const, dims: [season.length, T], values: weights },
    { name: 'wn_eps_squared', dataType: 'float' as const, dims: [T], values: epsSquared },
  ];
  const nodes: OnnxNode[] = [
    gatherNode('wn_lags', 'features', 'wn_lag_index'),
    gatherNode('wn_season', 'wn_lags', 'wn_season_index'),
    { opType: 'MatMul', name: 'wn_mean', inputs: ['wn_season', 'wn_weights'], outputs: ['wn_mean'] },
    gatherNode('wn_lag_mean', 'wn_mean', 'wn_lag_target'),
    { opType: 'Sub', name: 'wn_centred', inputs: ['wn_lags', 'wn_lag_mean'], outputs: ['wn_centred'] },
    gatherNode('wn_season_centred', 'wn_centred', 'wn_season_index'),
    {
      opType: 'Mul',
      name: 'wn_squared',
      inputs: ['wn_season_centred', 'wn_season_centred'],
      outputs: ['wn_squared'],
    },
    { opType: 'MatMul', name: 'wn_var', inputs: ['wn_squared', 'wn_weights'], outputs: ['wn_var'] },
    { opType: 'Add', name: 'wn_var_eps', inputs: ['wn_var', 'wn_eps_squared'], outputs: ['wn_var_eps'] },
    { opType: 'Sqrt', name: 'wn_scale', inputs: ['wn_var_eps'], outputs: ['wn_scale'] },
    gatherNode('wn_lag_scale', 'wn_scale', 'wn_lag_target'),
  ];
  // Columns before and after the lag block pass through unchanged.
  const parts: string[] = [];
  if (off > 0) {
    initializers.push(indexTensor('wn_before_index', range(0, off)));
    nodes.push(gatherNode('wn_before', 'features', 'wn_before_index'));
    parts.push('wn_before');
  }
  parts.push('wn_lags_normalised');
  if (off + K < F) {
    initializers.push(indexTensor('wn_after_index', range(off + K, F)));
    nodes.push(gatherNode('wn_after', 'features', 'wn_after_index'));
    parts.push('wn_after');
  }
  const divided = parts.length === 1 ? output : 'wn_lags_normalised';
  nodes.push({
    opType: 'Div',
    name: 'wn_divide',
    inputs: ['wn_centred', 'wn_lag_scale'],
    outputs: [divided],
  });
  if (parts.length > 1)
    nodes.push({
      opType: 'Concat',
      name: 'wn_concat',
      inputs: parts,
      outputs: [output],
      attributes: { axis: attr.int(1) },
    });
  return { nodes, initializers };
}

/** `learner` (`[N, horizon · nTargets]`) → `output = m + s · learner`, per output's target. */
export function windowNormInverse(io: ModelIO, learner: string, output: string): Subgraph {
  const outTarget = Array.from({ length: io.horizon * io.nTargets }, (_, o) => o % io.nTargets);
  return {
    nodes: [
      gatherNode('wn_out_mean', 'wn_mean', 'wn_out_target'),
      gatherNode('wn_out_scale', 'wn_scale', 'wn_out_target'),
      { opType: 'Mul', name: 'wn_rescale', inputs: [learner, 'wn_out_scale'], outputs: ['wn_rescaled'] },
      { opType: 'Add', name: 'wn_add_mean', inputs: ['wn_out_mean', 'wn_rescaled'], outputs: [output] },
    ],
    initializers: [indexTensor('wn_out_target', outTarget)],
  };
}
