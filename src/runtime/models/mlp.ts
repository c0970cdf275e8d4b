/** Multi-layer perceptron: its ONNX export (Sub, Mul, Gemm + Relu, optional MatMul and Gather shortcuts) and its float64 reference. */

import { ModelError } from '../errors.js';
import { attr, buildModel, type OnnxNode, type OnnxTensor } from '../onnx/writer.js';
import { transformName } from './gbdt.js';
import type { DenseLayer, MlpSpec } from './spec.js';
import {
  invertWindowNorm,
  normaliseWindows,
  windowNormGraph,
  windowNormInverse,
  windowNormProblem,
} from './window-norm.js';

function fail(spec: MlpSpec, message: string, context: Record<string, unknown> = {}): never {
  throw new ModelError(`mlp "${spec.label}": ${message}`, { label: spec.label, ...context });
}

/** Checks that the layers chain from nFeatures to horizon · nTargets; returns the output count. */
function checkSpec(spec: MlpSpec): number {
  const nOut = spec.horizon * spec.nTargets;
  if (spec.inputMean.length !== spec.nFeatures || spec.inputScale.length !== spec.nFeatures)
    fail(spec, `inputMean and inputScale must hold ${spec.nFeatures} values`);
  if (spec.layers.length === 0) fail(spec, 'needs at least one layer');
  let width = spec.nFeatures;
  for (const [i, l] of spec.layers.entries()) {
    if (l.inputs !== width) fail(spec, `layer ${i} takes ${l.inputs} inputs, the previous gives ${width}`);
    if (l.weights.length !== l.inputs * l.outputs || l.bias.length !== l.outputs)
      fail(spec, `layer ${i} must hold ${l.inputs} × ${l.outputs} weights and ${l.outputs} biases`, {
        layer: i,
      });
    width = l.outputs;
  }
  if (width !== nOut) fail(spec, `the last layer gives ${width} outputs, horizon · nTargets is ${nOut}`);
  const skip = spec.skip;
  if (
    skip &&
    (skip.inputs !== spec.nFeatures ||
      skip.outputs !== nOut ||
      skip.weights.length !== skip.inputs * nOut ||
      skip.bias.some((b) => b !== 0))
  )
    fail(spec, `the skip layer must map ${spec.nFeatures} inputs to ${nOut} outputs with a zero bias`);
  if (spec.residualOf) {
    if (spec.residualOf.length !== nOut)
      fail(spec, `residualOf must hold ${nOut} indices, got ${spec.residualOf.length}`);
    const bad = spec.residualOf.findIndex((f) => !(f >= 0 && f < spec.nFeatures));
    if (bad >= 0) fail(spec, `residualOf[${bad}] = ${spec.residualOf[bad]} is not a feature index`);
  }
  if (spec.windowNorm) {
    if (spec.residualOf) fail(spec, 'residualOf and windowNorm are two transforms; a model has at most one');
    const problem = windowNormProblem(spec.windowNorm, spec);
    if (problem) fail(spec, problem);
  }
  return nOut;
}

/**
 * `out[i, j] = init[j] + Σ_t a(i, t) · b[t, j]` for `i < rows`, `t < inner`, `j < J`, where `a(i, t)` is
 * `a[i · rowStride + t · innerStride]` (so one kernel serves `X · W` and `Xᵀ · G`) and `b` is row-major `[inner, J]`;
 * `init` absent means 0. The one register-blocked product of the MLP (forward pass, reference and weight
 * gradients): three rows by four outputs are accumulated in locals per pass over `t`, so each load of `b` feeds
 * three rows (1.15–1.5× the one-row kernel, measured); every output still sums `init[j]` then `t = 0, 1, …` in
 * order, so the result is bit for bit the one-row kernel's.
 */
export function blockedProduct(
  a: Float64Array,
  rowStride: number,
  innerStride: number,
  rows: number,
  inner: number,
  b: Float64Array,
  J: number,
  init: Float64Array | undefined,
  out: Float64Array,
): void {
  const J4 = J - (J % 4);
  const R3 = rows - (rows % 3);
  for (let i = 0; i < R3; i += 3) {
    const a0 = i * rowStride;
    const a1 = a0 + rowStride;
    const a2 = a1 + rowStride;
    const o0 = i * J;
    const o1 = o0 + J;
    const o2 = o1 + J;
    for (let j = 0; j < J4; j += 4) {
      let p0 = init ? init[j]! : 0;
      let p1 = init ? init[j + 1]! : 0;
      let p2 = init ? init[j + 2]! : 0;
      let p3 = init ? init[j + 3]! : 0;
      let q0 = p0;
      let q1 = p1;
      let q2 = p2;
      let q3 = p3;
      let r0 = p0;
      let r1 = p1;
      let r2 = p2;
      let r3 = p3;
      for (let t = 0; t < inner; t++) {
        const x0 = a[a0 + t * innerStride]!;
        const x1 = a[a1 + t * innerStride]!;
        const x2 = a[a2 + t * innerStride]!;
        const q = t * J + j;
        const b0 = b[q]!;
        const b1 = b[q + 1]!;
        const b2 = b[q + 2]!;
        const b3 = b[q + 3]!;
        p0 += x0 * b0;
        p1 += x0 * b1;
        p2 += x0 * b2;
        p3 += x0 * b3;
        q0 += x1 * b0;
        q1 += x1 * b1;
        q2 += x1 * b2;
        q3 += x1 * b3;
        r0 += x2 * b0;
        r1 += x2 * b1;
        r2 += x2 * b2;
        r3 += x2 * b3;
      }
      out[o0 + j] = p0;
      out[o0 + j + 1] = p1;
      out[o0 + j + 2] = p2;
      out[o0 + j + 3] = p3;
      out[o1 + j] = q0;
      out[o1 + j + 1] = q1;
      out[o1 + j + 2] = q2;
      out[o1 + j + 3] = q3;
      out[o2 + j] = r0;
      out[o2 + j + 1] = r1;
      out[o2 + j + 2] = r2;
      out[o2 + j + 3] = r3;
    }
    for (let j = J4; j < J; j++) {
      let p = init ? init[j]! : 0;
      let q = p;
      let r = p;
      for (let t = 0; t < inner; t++) {
        const bt = b[t * J + j]!;
        p += a[a0 + t * innerStride]! * bt;
        q += a[a1 + t * innerStride]! * bt;
        r += a[a2 + t * innerStride]! * bt;
      }
      out[o0 + j] = p;
      out[o1 + j] = q;
      out[o2 + j] = r;
    }
  }
  // The last rows (fewer than three), one at a time.
  for (let i = R3; i < rows; i++) {
    const a0 = i * rowStride;
    const o = i * J;
    for (let j = 0; j < J; j++) {
      let s = init ? init[j]! : 0;
      for (let t = 0; t < inner; t++) s += a[a0 + t * innerStride]! * b[t * J + j]!;
      out[o + j] = s;
    }
  }
}

/**
 * `out[r] = input[r] · W + b` for `n` rows, with ReLU when `relu`. The trainer's forward pass and the in-memory
 * reference both run it, so the reference is the trainer's arithmetic.
 */
export function denseForward(
  input: Float64Array,
  n: number,
  layer: DenseLayer,
  relu: boolean,
  out: Float64Array,
): void {
  const { inputs: K, outputs: J, weights: w, bias } = layer;
  blockedProduct(input, K, 1, n, K, w, J, bias, out);
  if (relu) for (let k = 0; k < n * J; k++) if (!(out[k]! > 0)) out[k] = 0;
}

/** `out += input · skip.weights` (the shortcut; its bias is zero), computed apart then added, as ONNX's MatMul + Add. */
export function addSkip(input: Float64Array, n: number, skip: DenseLayer, out: Float64Array): void {
  const shortcut = new Float64Array(n * skip.outputs);
  denseForward(input, n, skip, false, shortcut);
  for (let k = 0; k < shortcut.length; k++) out[k] = out[k]! + shortcut[k]!;
}

/** `(features − mean) · scale` row by row into `out` (the standardisation the first layer sees). */
export function standardise(
  spec: Pick<MlpSpec, 'inputMean' | 'inputScale' | 'nFeatures'>,
  features: Float64Array,
  n: number,
  out: Float64Array,
): void {
  const F = spec.nFeatures;
  for (let r = 0; r < n; r++)
    for (let i = 0; i < F; i++)
      out[r * F + i] = (features[r * F + i]! - spec.inputMean[i]!) * spec.inputScale[i]!;
}

/**
 * Exports the model as ONNX: `Sub(mean)` → `Mul(scale)` → `Gemm` (+ `Relu`) per layer,
 * optionally a linear shortcut (`MatMul` + `Add`), and under `seasonal_residual` an `Add` of the lag `Gather`ed
 * from the features; under `window_norm` the window subgraph before and `m + s · net` after. float32 throughout, opset 17.
 * @throws ModelError when the layers do not chain from nFeatures to horizon · nTargets.
 */
export function mlpToOnnx(spec: MlpSpec): Uint8Array {
  const nOut = checkSpec(spec);
  const F = spec.nFeatures;
  const norm = spec.windowNorm;
  // window_norm: the net reads the normalised window and its output p is served as m + s · p.
  const before = norm ? windowNormGraph(norm, spec, 'normalised') : { nodes: [], initializers: [] };
  const after = norm ? windowNormInverse(spec, 'net', 'forecast') : { nodes: [], initializers: [] };
  const transformed = spec.residualOf !== undefined || norm !== undefined;
  const nodes: OnnxNode[] = [
    ...before.nodes,
    {
      opType: 'Sub',
      name: 'centre',
      inputs: [norm ? 'normalised' : 'features', 'input_mean'],
      outputs: ['centred'],
    },
    { opType: 'Mul', name: 'standardise', inputs: ['centred', 'input_scale'], outputs: ['h0'] },
  ];
  const initializers: (OnnxTensor & { name: string })[] = [
    ...before.initializers,
    ...after.initializers,
    { name: 'input_mean', dataType: 'float', dims: [F], values: spec.inputMean },
    { name: 'input_scale', dataType: 'float', dims: [F], values: spec.inputScale },
  ];
  const last = spec.layers.length - 1;
  let input = 'h0';
  for (const [i, l] of spec.layers.entries()) {
    const linear = i === last ? (spec.skip ? 'deep' : transformed ? 'net' : 'forecast') : `z${i + 1}`;
    nodes.push({
      opType: 'Gemm',
      name: `dense${i + 1}`,
      inputs: [input, `w${i + 1}`, `b${i + 1}`],
      outputs: [linear],
    });
    initializers.push(
      { name: `w${i + 1}`, dataType: 'float', dims: [l.inputs, l.outputs], values: l.weights },
      { name: `b${i + 1}`, dataType: 'float', dims: [l.outputs], values: l.bias },
    );
    if (i < last) {
      nodes.push({ opType: 'Relu', name: `relu${i + 1}`, inputs: [linear], outputs: [`h${i + 1}`] });
      input = `h${i + 1}`;
    }
  }
  if (spec.skip) {
    nodes.push(
      { opType: 'MatMul', name: 'skip', inputs: ['h0', 'w_skip'], outputs: ['shortcut'] },
      {
        opType: 'Add',
        name: 'add_skip',
        inputs: ['deep', 'shortcut'],
        outputs: [transformed ? 'net' : 'forecast'],
      },
    );
    initializers.push({ name: 'w_skip', dataType: 'float', dims: [F, nOut], values: spec.skip.weights });
  }
  if (spec.residualOf) {
    nodes.push(
      {
        opType: 'Gather',
        name: 'naive',
        inputs: ['features', 'naive_index'],
        outputs: ['naive'],
        attributes: { axis: attr.int(1) },
      },
      { opType: 'Add', name: 'add_naive', inputs: ['net', 'naive'], outputs: ['forecast'] },
    );
    initializers.push({
      name: 'naive_index',
      dataType: 'int64',
      dims: [nOut],
      values: Array.from(spec.residualOf),
    });
  }
  nodes.push(...after.nodes);
  return buildModel({
    graph: {
      name: spec.label,
      nodes,
      initializers,
      inputs: [{ name: 'features', elemType: 'float', shape: ['N', F] }],
      outputs: [{ name: 'forecast', elemType: 'float', shape: ['N', nOut] }],
    },
    opsets: [{ domain: '', version: 17 }],
    producer: { name: 'twiga-edge' },
    metadata: {
      kind: spec.kind,
      label: spec.label,
      hidden: spec.layers
        .slice(0, -1)
        .map((l) => l.outputs)
        .join(','),
      activation: 'relu',
      skip: spec.skip ? 'linear' : 'none',
      transform: transformName(spec),
      epochs: String(spec.training.epochs),
      best_epoch: String(spec.training.bestEpoch),
    },
  });
}

/** In-memory float64 reference: `features` row-major `[nRows, nFeatures]`; returns `[nRows, horizon * nTargets]`. */
export function predictMlp(spec: MlpSpec, features: Float64Array, nRows: number): Float64Array {
  const nOut = checkSpec(spec);
  const F = spec.nFeatures;
  if (!Number.isInteger(nRows) || nRows < 0 || features.length !== nRows * F) {
    fail(spec, `expected features of shape [${nRows}, ${F}], got ${features.length} values`, {
      shape: [nRows, F],
      length: features.length,
    });
  }
  const norm = spec.windowNorm ? normaliseWindows(spec.windowNorm, spec, features, nRows) : undefined;
  const h0 = new Float64Array(nRows * F);
  standardise(spec, norm ? norm.x : features, nRows, h0);
  let h = h0;
  const last = spec.layers.length - 1;
  for (const [i, l] of spec.layers.entries()) {
    const out = new Float64Array(nRows * l.outputs);
    denseForward(h, nRows, l, i < last, out);
    h = out;
  }
  if (spec.skip) addSkip(h0, nRows, spec.skip, h);
  if (spec.residualOf) {
    for (let r = 0; r < nRows; r++)
      for (let o = 0; o < nOut; o++) h[r * nOut + o]! += features[r * F + spec.residualOf[o]!]!;
  }
  return norm ? invertWindowNorm(h, norm, spec, nRows) : h;
}
