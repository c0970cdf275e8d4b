/**
 * MLP trainer: standardised features → ReLU hidden layers → every output at once, mini-batch AdamW on squared
 * (or absolute) error, early stopping on validation MAE with the best epoch's weights kept. Plain Float64Array
 * loops; one seeded PRNG drives initialisation and shuffling, so the same seed gives the same weights.
 */
import { ModelError } from '../errors.js';
import { addSkip, blockedProduct, denseForward } from '../models/mlp.js';
import type { DenseLayer, MlpSpec } from '../models/spec.js';
import { mulberry32 } from '../synthetic.js';

/** Hyper-parameters of one fit (see `MlpConfig` for their meaning and defaults). */
export interface MlpParams {
  hidden: readonly number[];
  epochs: number;
  learningRate: number;
  batchSize: number;
  patience: number;
  weightDecay: number;
  seed: number;
  /** Training loss: `mse` (squared error) or `mae` (absolute error). */
  loss: 'mse' | 'mae';
  /** A linear shortcut from the standardised inputs to the outputs, beside the hidden layers. */
  skip: boolean;
  /**
   * Mini-batches between two validation checks (an "epoch"), drawn in order from a shuffle of every window that
   * is redrawn when used up; absent, one full pass. Lets a large series stop early without a full pass per check.
   */
  batchesPerEpoch?: number;
}

/** Training rows (and optional validation rows), row-major, targets in the space the net predicts. */
export interface MlpData {
  x: Float64Array;
  y: Float64Array;
  n: number;
  nFeatures: number;
  nOutputs: number;
  valid?: { x: Float64Array; y: Float64Array; n: number };
}

/** The fitted spec and what training did. */
export interface MlpFit {
  spec: MlpSpec;
  /** Validation MAE (in the targets' space) after each epoch; empty without validation rows. */
  validationMae: number[];
}

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPS = 1e-8;

/** Per-feature mean and 1/std of the training rows; a constant feature gets scale 0 so it adds nothing. */
function inputStats(d: MlpData): { mean: Float64Array; scale: Float64Array } {
  const F = d.nFeatures;
  const mean = new Float64Array(F);
  const sq = new Float64Array(F);
  for (let r = 0; r < d.n; r++) for (let i = 0; i < F; i++) mean[i]! += d.x[r * F + i]!;
  for (let i = 0; i < F; i++) mean[i]! /= d.n;
  for (let r = 0; r < d.n; r++)
    for (let i = 0; i < F; i++) {
      const c = d.x[r * F + i]! - mean[i]!;
      sq[i]! += c * c;
    }
  const scale = new Float64Array(F);
  for (let i = 0; i < F; i++) {
    const std = Math.sqrt(sq[i]! / d.n);
    scale[i] = std > 1e-12 ? 1 / std : 0;
  }
  return { mean, scale };
}

/** He-uniform weights (ReLU fan-in), zero biases; the last layer Glorot-uniform. */
function initLayers(sizes: number[], rand: () => number): DenseLayer[] {
  const layers: DenseLayer[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const inputs = sizes[i]!;
    const outputs = sizes[i + 1]!;
    const last = i + 2 === sizes.length;
    const limit = last ? Math.sqrt(6 / (inputs + outputs)) : Math.sqrt(6 / inputs);
    const weights = new Float64Array(inputs * outputs);
    for (let k = 0; k < weights.length; k++) weights[k] = (2 * rand() - 1) * limit;
    layers.push({ inputs, outputs, weights, bias: new Float64Array(outputs) });
  }
  return layers;
}

/** gW = Aᵀ·G over `n` rows (A `[n, K]`, G `[n, J]`), overwriting gW `[K, J]`: the forward's kernel, A read transposed. */
function gradWeights(a: Float64Array, g: Float64Array, n: number, K: number, J: number, gw: Float64Array) {
  blockedProduct(a, 1, K, K, n, g, J, undefined, gw);
}

/** dA = G·Wᵀ masked by the ReLU (`h > 0`), for the layer below; four partial sums per dot product. */
function gradInputs(
  g: Float64Array,
  w: Float64Array,
  h: Float64Array,
  n: number,
  K: number,
  J: number,
  out: Float64Array,
) {
  const J4 = J - (J % 4);
  for (let r = 0; r < n; r++) {
    const gr = r * J;
    for (let k = 0; k < K; k++) {
      if (!(h[r * K + k]! > 0)) {
        out[r * K + k] = 0;
        continue;
      }
      const wk = k * J;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let j = 0; j < J4; j += 4) {
        s0 += g[gr + j]! * w[wk + j]!;
        s1 += g[gr + j + 1]! * w[wk + j + 1]!;
        s2 += g[gr + j + 2]! * w[wk + j + 2]!;
        s3 += g[gr + j + 3]! * w[wk + j + 3]!;
      }
      for (let j = J4; j < J; j++) s0 += g[gr + j]! * w[wk + j]!;
      out[r * K + k] = s0 + s1 + s2 + s3;
    }
  }
}

/** One Adam moment pair per parameter tensor. */
interface Moments {
  m: Float64Array;
  v: Float64Array;
}

function adamStep(
  p: Float64Array,
  g: Float64Array,
  s: Moments,
  lr: number,
  step: number,
  decay: number,
): void {
  const c1 = 1 - BETA1 ** step;
  const c2 = 1 - BETA2 ** step;
  for (let i = 0; i < p.length; i++) {
    const gi = g[i]!;
    const m = BETA1 * s.m[i]! + (1 - BETA1) * gi;
    const v = BETA2 * s.v[i]! + (1 - BETA2) * gi * gi;
    s.m[i] = m;
    s.v[i] = v;
    // Decoupled weight decay (AdamW): shrinks the weight itself, independent of the gradient's scale.
    p[i] = p[i]! - lr * (m / c1 / (Math.sqrt(v / c2) + EPS) + decay * p[i]!);
  }
}

/** Standardise rows `idx[from, to)` of x into `out` and copy their targets into `yOut`. */
function gatherBatch(
  d: MlpData,
  idx: Int32Array,
  from: number,
  to: number,
  mean: Float64Array,
  scale: Float64Array,
  out: Float64Array,
  yOut: Float64Array,
): void {
  const F = d.nFeatures;
  const O = d.nOutputs;
  for (let b = 0; b < to - from; b++) {
    const r = idx[from + b]!;
    for (let i = 0; i < F; i++) out[b * F + i] = (d.x[r * F + i]! - mean[i]!) * scale[i]!;
    for (let o = 0; o < O; o++) yOut[b * O + o] = d.y[r * O + o]!;
  }
}

/** Validation MAE of the current layers, in chunks so memory stays at one batch of activations. */
function validationMae(
  d: MlpData,
  v: NonNullable<MlpData['valid']>,
  layers: DenseLayer[],
  skip: DenseLayer | undefined,
  mean: Float64Array,
  scale: Float64Array,
  acts: Float64Array[],
  yBuf: Float64Array,
  batch: number,
): number {
  const idx = Int32Array.from({ length: v.n }, (_, i) => i);
  const view: MlpData = { x: v.x, y: v.y, n: v.n, nFeatures: d.nFeatures, nOutputs: d.nOutputs };
  let sum = 0;
  for (let from = 0; from < v.n; from += batch) {
    const to = Math.min(v.n, from + batch);
    gatherBatch(view, idx, from, to, mean, scale, acts[0]!, yBuf);
    forward(layers, skip, acts, to - from);
    const pred = acts[layers.length]!;
    for (let k = 0; k < (to - from) * d.nOutputs; k++) sum += Math.abs(pred[k]! - yBuf[k]!);
  }
  return sum / (v.n * d.nOutputs);
}

/** The net's forward pass into `acts` (the last holds the outputs), the shortcut added as `predictMlp` adds it. */
function forward(layers: DenseLayer[], skip: DenseLayer | undefined, acts: Float64Array[], n: number): void {
  const last = layers.length - 1;
  for (const [i, l] of layers.entries()) denseForward(acts[i]!, n, l, i < last, acts[i + 1]!);
  if (skip) addSkip(acts[0]!, n, skip, acts[last + 1]!);
}

const copyLayer = (l: DenseLayer): DenseLayer => ({ ...l, weights: l.weights.slice(), bias: l.bias.slice() });
const copyLayers = (layers: DenseLayer[]): DenseLayer[] => layers.map(copyLayer);
const copySkip = (skip: DenseLayer | undefined) => skip && copyLayer(skip);

/**
 * Fit an MLP on `d`; with validation rows, stop after `patience` epochs without improvement and keep the best
 * epoch's weights. The spec takes raw features (the standardisation is part of it).
 * @throws ModelError when there are no training rows.
 */
export function trainMlp(
  d: MlpData,
  params: MlpParams,
  layout: { label: string; horizon: number; nTargets: number },
): MlpFit {
  if (d.n === 0) throw new ModelError(`mlp "${layout.label}": no training rows`, { model: layout.label });
  const F = d.nFeatures;
  const O = d.nOutputs;
  const rand = mulberry32(params.seed);
  const { mean, scale } = inputStats(d);
  const sizes = [F, ...params.hidden, O];
  let layers = initLayers(sizes, rand);
  // The shortcut starts at zero: the hidden layers and the linear part learn together from the first step.
  let skip: DenseLayer | undefined = params.skip
    ? { inputs: F, outputs: O, weights: new Float64Array(F * O), bias: new Float64Array(O) }
    : undefined;
  const gSkip = new Float64Array(skip ? F * O : 0);
  const mSkip = { m: new Float64Array(gSkip.length), v: new Float64Array(gSkip.length) };
  const B = Math.min(params.batchSize, d.n);
  const acts = sizes.map((s) => new Float64Array(B * s));
  const grads = sizes.map((s) => new Float64Array(B * s));
  const yBuf = new Float64Array(B * O);
  const gw = layers.map((l) => new Float64Array(l.weights.length));
  const gb = layers.map((l) => new Float64Array(l.bias.length));
  const mw = layers.map((l) => ({
    m: new Float64Array(l.weights.length),
    v: new Float64Array(l.weights.length),
  }));
  const mb = layers.map((l) => ({ m: new Float64Array(l.bias.length), v: new Float64Array(l.bias.length) }));
  const idx = Int32Array.from({ length: d.n }, (_, i) => i);
  const L = layers.length;
  const history: number[] = [];
  let best = { epoch: 0, mae: Number.POSITIVE_INFINITY, layers: copyLayers(layers), skip: copySkip(skip) };
  let step = 0;
  let epoch = 0;
  const shuffle = () => {
    for (let i = d.n - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      const t = idx[i]!;
      idx[i] = idx[j]!;
      idx[j] = t;
    }
  };
  const perEpoch = params.batchesPerEpoch ?? Math.ceil(d.n / B);
  let cursor = d.n; // the first epoch shuffles
  while (epoch < params.epochs) {
    epoch++;
    for (let batch = 0; batch < perEpoch; batch++) {
      if (cursor >= d.n) {
        shuffle();
        cursor = 0;
      }
      const from = cursor;
      const n = Math.min(d.n, from + B) - from;
      cursor += n;
      gatherBatch(d, idx, from, from + n, mean, scale, acts[0]!, yBuf);
      forward(layers, skip, acts, n);
      // Output gradient of the mean loss over the batch's rows (summed over outputs, so each output counts fully).
      const pred = acts[L]!;
      const g = grads[L]!;
      for (let k = 0; k < n * O; k++) {
        const e = pred[k]! - yBuf[k]!;
        g[k] = params.loss === 'mae' ? Math.sign(e) / n : (2 * e) / n;
      }
      for (let l = L - 1; l >= 0; l--) {
        const layer = layers[l]!;
        const gl = grads[l + 1]!;
        gradWeights(acts[l]!, gl, n, layer.inputs, layer.outputs, gw[l]!);
        const bias = gb[l]!;
        bias.fill(0);
        for (let r = 0; r < n; r++)
          for (let j = 0; j < layer.outputs; j++) bias[j]! += gl[r * layer.outputs + j]!;
        if (l > 0) gradInputs(gl, layer.weights, acts[l]!, n, layer.inputs, layer.outputs, grads[l]!);
      }
      if (skip) gradWeights(acts[0]!, g, n, F, O, gSkip);
      step++;
      for (let l = 0; l < L; l++) {
        adamStep(layers[l]!.weights, gw[l]!, mw[l]!, params.learningRate, step, params.weightDecay);
        adamStep(layers[l]!.bias, gb[l]!, mb[l]!, params.learningRate, step, 0);
      }
      if (skip) adamStep(skip.weights, gSkip, mSkip, params.learningRate, step, params.weightDecay);
    }
    if (!d.valid || d.valid.n === 0) continue;
    const mae = validationMae(d, d.valid, layers, skip, mean, scale, acts, yBuf, B);
    history.push(mae);
    if (mae < best.mae) best = { epoch, mae, layers: copyLayers(layers), skip: copySkip(skip) };
    else if (params.patience > 0 && epoch - best.epoch >= params.patience) break;
  }
  const validated = history.length > 0;
  if (validated) {
    layers = best.layers;
    skip = best.skip;
  }
  return {
    spec: {
      kind: 'mlp',
      label: layout.label,
      nFeatures: F,
      horizon: layout.horizon,
      nTargets: layout.nTargets,
      inputMean: mean,
      inputScale: scale,
      layers,
      ...(skip ? { skip } : {}),
      training: {
        epochs: epoch,
        bestEpoch: validated ? best.epoch : epoch,
        validationMae: validated ? best.mae : null,
      },
    },
    validationMae: history,
  };
}
