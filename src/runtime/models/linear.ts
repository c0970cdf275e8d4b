/** Linear model: its ONNX export (MatMul + Add) and its float64 reference. */

import { ModelError } from '../errors.js';
import { buildModel } from '../onnx/writer.js';
import type { LinearSpec } from './spec.js';

function checkSpec(spec: LinearSpec): number {
  const nOut = spec.horizon * spec.nTargets;
  const context = { label: spec.label, nFeatures: spec.nFeatures, nOut };
  if (spec.weights.length !== spec.nFeatures * nOut) {
    throw new ModelError(
      `linear "${spec.label}": weights must hold nFeatures × horizon·nTargets = ${spec.nFeatures} × ${nOut} values, got ${spec.weights.length}`,
      context,
    );
  }
  if (spec.bias.length !== nOut) {
    throw new ModelError(
      `linear "${spec.label}": bias must hold ${nOut} values, got ${spec.bias.length}`,
      context,
    );
  }
  return nOut;
}

/**
 * Exports the model as ONNX: `forecast = MatMul(features, W) + b` with float32 `W: [nFeatures, nOut]`, `b: [nOut]`.
 * @throws ModelError when `weights` or `bias` do not match the spec's shape.
 */
export function linearToOnnx(spec: LinearSpec): Uint8Array {
  const nOut = checkSpec(spec);
  return buildModel({
    graph: {
      name: spec.label,
      nodes: [
        { opType: 'MatMul', name: 'project', inputs: ['features', 'weights'], outputs: ['projected'] },
        { opType: 'Add', name: 'intercept', inputs: ['projected', 'bias'], outputs: ['forecast'] },
      ],
      initializers: [
        { name: 'weights', dataType: 'float', dims: [spec.nFeatures, nOut], values: spec.weights },
        { name: 'bias', dataType: 'float', dims: [nOut], values: spec.bias },
      ],
      inputs: [{ name: 'features', elemType: 'float', shape: ['N', spec.nFeatures] }],
      outputs: [{ name: 'forecast', elemType: 'float', shape: ['N', nOut] }],
    },
    opsets: [{ domain: '', version: 17 }],
    producer: { name: 'twiga-edge' },
    metadata: { kind: spec.kind, label: spec.label, alpha: String(spec.alpha) },
  });
}

/** In-memory float64 reference: `features` is row-major `[nRows, nFeatures]`; returns `[nRows, horizon * nTargets]`. */
export function predictLinear(spec: LinearSpec, features: Float64Array, nRows: number): Float64Array {
  const nOut = checkSpec(spec);
  const { nFeatures, weights, bias } = spec;
  if (!Number.isInteger(nRows) || nRows < 0 || features.length !== nRows * nFeatures) {
    throw new ModelError(
      `model "${spec.label}": expected features of shape [${nRows}, ${nFeatures}] (${nRows * nFeatures} values), got ${features.length} values`,
      { label: spec.label, shape: [nRows, nFeatures], length: features.length },
    );
  }
  const out = new Float64Array(nRows * nOut);
  for (let r = 0; r < nRows; r++) {
    const row = out.subarray(r * nOut, (r + 1) * nOut);
    row.set(bias);
    // i-outer keeps the weight reads sequential (row-major W).
    for (let i = 0; i < nFeatures; i++) {
      const x = features[r * nFeatures + i]!;
      const w = i * nOut;
      for (let j = 0; j < nOut; j++) row[j] = row[j]! + x * weights[w + j]!;
    }
  }
  return out;
}
