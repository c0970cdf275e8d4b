/** Gradient-boosted trees: ONNX export as one ai.onnx.ml TreeEnsembleRegressor, and its float64 reference. */

import { ModelError } from '../errors.js';
import { attr, buildModel } from '../onnx/writer.js';
import type { GbdtSpec } from './spec.js';
import {
  invertWindowNorm,
  normaliseWindows,
  windowNormGraph,
  windowNormInverse,
  windowNormProblem,
} from './window-norm.js';

function fail(spec: GbdtSpec, message: string, context: Record<string, unknown> = {}): never {
  throw new ModelError(`gbdt "${spec.label}": ${message}`, { label: spec.label, ...context });
}

/** Checks that the node arrays describe well-formed trees; returns the output count. */
function checkSpec(spec: GbdtSpec): number {
  const nOut = spec.horizon * spec.nTargets;
  const nTrees = spec.treeOutputs.length;
  const nNodes = spec.nodeFeature.length;
  if (spec.baseValues.length !== nOut)
    fail(spec, `baseValues must hold ${nOut} values, got ${spec.baseValues.length}`);
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
  if (
    spec.treeOffsets.length !== nTrees + 1 ||
    spec.treeOffsets[0] !== 0 ||
    spec.treeOffsets[nTrees] !== nNodes
  ) {
    fail(spec, `treeOffsets must run from 0 to ${nNodes} over ${nTrees + 1} entries`);
  }
  for (const [name, a] of [
    ['nodeThreshold', spec.nodeThreshold],
    ['nodeLeft', spec.nodeLeft],
    ['nodeRight', spec.nodeRight],
    ['nodeMissingLeft', spec.nodeMissingLeft],
    ['nodeValue', spec.nodeValue],
  ] as const) {
    if (a.length !== nNodes) fail(spec, `${name} must hold ${nNodes} values, got ${a.length}`);
  }
  for (let t = 0; t < nTrees; t++) {
    const out = spec.treeOutputs[t]!;
    if (!(out >= 0 && out < nOut)) fail(spec, `tree ${t} adds to output ${out}, outside [0, ${nOut})`);
    const begin = spec.treeOffsets[t]!;
    const size = spec.treeOffsets[t + 1]! - begin;
    if (size < 1) fail(spec, `tree ${t} has no nodes`);
    for (let k = begin; k < begin + size; k++) {
      const f = spec.nodeFeature[k]!;
      if (f < 0) continue;
      const l = spec.nodeLeft[k]!;
      const r = spec.nodeRight[k]!;
      if (f >= spec.nFeatures || !(l > k - begin && l < size) || !(r > k - begin && r < size)) {
        fail(spec, `tree ${t} node ${k - begin} is malformed (feature ${f}, children ${l}, ${r})`, {
          tree: t,
          node: k - begin,
        });
      }
    }
  }
  return nOut;
}

/** The TreeEnsembleRegressor attributes, trees in spec order. */
function ensembleAttributes(spec: GbdtSpec, nOut: number) {
  const nTrees = spec.treeOutputs.length;
  const treeIds: number[] = [];
  const nodeIds: number[] = [];
  const featureIds: number[] = [];
  const values: number[] = [];
  const modes: string[] = [];
  const trueIds: number[] = [];
  const falseIds: number[] = [];
  const missingTrue: number[] = [];
  const leafTree: number[] = [];
  const leafNode: number[] = [];
  const leafTarget: number[] = [];
  const leafWeight: number[] = [];
  for (let t = 0; t < nTrees; t++) {
    const begin = spec.treeOffsets[t]!;
    const end = spec.treeOffsets[t + 1]!;
    for (let k = begin; k < end; k++) {
      const leaf = spec.nodeFeature[k]! < 0;
      treeIds.push(t);
      nodeIds.push(k - begin);
      featureIds.push(leaf ? 0 : spec.nodeFeature[k]!);
      values.push(leaf ? 0 : spec.nodeThreshold[k]!);
      modes.push(leaf ? 'LEAF' : 'BRANCH_LEQ');
      trueIds.push(leaf ? 0 : spec.nodeLeft[k]!);
      falseIds.push(leaf ? 0 : spec.nodeRight[k]!);
      missingTrue.push(leaf ? 0 : spec.nodeMissingLeft[k]!);
      if (leaf) {
        leafTree.push(t);
        leafNode.push(k - begin);
        leafTarget.push(spec.treeOutputs[t]!);
        leafWeight.push(spec.nodeValue[k]!);
      }
    }
  }
  // ORT leaves an output without any leaf at 0, ignoring its base value: give such outputs a zero leaf.
  const covered = new Uint8Array(nOut);
  for (const o of spec.treeOutputs) covered[o] = 1;
  let extra = nTrees;
  for (let o = 0; o < nOut; o++) {
    if (covered[o]) continue;
    treeIds.push(extra);
    nodeIds.push(0);
    featureIds.push(0);
    values.push(0);
    modes.push('LEAF');
    trueIds.push(0);
    falseIds.push(0);
    missingTrue.push(0);
    leafTree.push(extra++);
    leafNode.push(0);
    leafTarget.push(o);
    leafWeight.push(0);
  }
  return {
    n_targets: attr.int(nOut),
    aggregate_function: attr.string('SUM'),
    post_transform: attr.string('NONE'),
    base_values: attr.floats(spec.baseValues),
    nodes_treeids: attr.ints(treeIds),
    nodes_nodeids: attr.ints(nodeIds),
    nodes_featureids: attr.ints(featureIds),
    nodes_values: attr.floats(values),
    nodes_modes: attr.strings(modes),
    nodes_truenodeids: attr.ints(trueIds),
    nodes_falsenodeids: attr.ints(falseIds),
    nodes_missing_value_tracks_true: attr.ints(missingTrue),
    target_treeids: attr.ints(leafTree),
    target_nodeids: attr.ints(leafNode),
    target_ids: attr.ints(leafTarget),
    target_weights: attr.floats(leafWeight),
  };
}

/**
 * Exports the ensemble as ONNX: one ai.onnx.ml (opset 3) `TreeEnsembleRegressor` with
 * `n_targets = horizon * nTargets`, each tree's leaves tagged with its output, `BRANCH_LEQ` branches
 * and the learned missing-value side. Input `features: float32[N, nFeatures]`, output `forecast: float32[N, nOut]`.
 * @throws ModelError when the node arrays are inconsistent.
 */
export function gbdtToOnnx(spec: GbdtSpec): Uint8Array {
  const nOut = checkSpec(spec);
  const norm = spec.windowNorm;
  const trees = {
    opType: 'TreeEnsembleRegressor',
    domain: 'ai.onnx.ml',
    name: 'trees',
    inputs: [norm ? 'normalised' : 'features'],
    outputs: [spec.residualOf ? 'residual' : norm ? 'learner' : 'forecast'],
    attributes: ensembleAttributes(spec, nOut),
  };
  // seasonal_residual: forecast = trees + the lag one season back, gathered from the features (as seasonal naive).
  const residual = spec.residualOf
    ? [
        {
          opType: 'Gather',
          name: 'naive',
          inputs: ['features', 'naive_index'],
          outputs: ['naive'],
          attributes: { axis: attr.int(1) },
        },
        { opType: 'Add', name: 'add_naive', inputs: ['residual', 'naive'], outputs: ['forecast'] },
      ]
    : [];
  // window_norm: the trees read the normalised window; forecast = m + s · trees.
  const before = norm ? windowNormGraph(norm, spec, 'normalised') : { nodes: [], initializers: [] };
  const after = norm ? windowNormInverse(spec, 'learner', 'forecast') : { nodes: [], initializers: [] };
  return buildModel({
    graph: {
      name: spec.label,
      nodes: [...before.nodes, trees, ...residual, ...after.nodes],
      initializers: [
        ...before.initializers,
        ...after.initializers,
        ...(spec.residualOf
          ? [
              {
                name: 'naive_index',
                dataType: 'int64' as const,
                dims: [nOut],
                values: Array.from(spec.residualOf),
              },
            ]
          : []),
      ],
      inputs: [{ name: 'features', elemType: 'float', shape: ['N', spec.nFeatures] }],
      outputs: [{ name: 'forecast', elemType: 'float', shape: ['N', nOut] }],
    },
    opsets: [
      { domain: '', version: 17 },
      { domain: 'ai.onnx.ml', version: 3 },
    ],
    producer: { name: 'twiga-edge' },
    metadata: {
      kind: spec.kind,
      label: spec.label,
      objective: spec.objective,
      trees: String(spec.treeOutputs.length),
      transform: transformName(spec),
      ...(spec.alpha === undefined ? {} : { alpha: String(spec.alpha) }),
    },
  });
}

/** The target transform a GBDT or MLP spec carries, as recorded in the ONNX metadata. */
export function transformName(spec: Pick<GbdtSpec, 'residualOf' | 'windowNorm'>): string {
  return spec.residualOf ? 'seasonal_residual' : spec.windowNorm ? 'window_norm' : 'none';
}

/**
 * In-memory float64 reference of {@link gbdtToOnnx}'s model: features are compared as float32, leaf values
 * summed in float64 (under `window_norm`, the normalised features are the graph's float32 values). `features` is row-major `[nRows, nFeatures]`; returns `[nRows, horizon * nTargets]`.
 */
export function predictGbdtSpec(spec: GbdtSpec, features: Float64Array, nRows: number): Float64Array {
  const nOut = checkSpec(spec);
  const F = spec.nFeatures;
  if (!Number.isInteger(nRows) || nRows < 0 || features.length !== nRows * F) {
    throw new ModelError(
      `model "${spec.label}": expected features of shape [${nRows}, ${F}] (${nRows * F} values), got ${features.length} values`,
      { label: spec.label, shape: [nRows, F], length: features.length },
    );
  }
  const norm = spec.windowNorm ? normaliseWindows(spec.windowNorm, spec, features, nRows) : undefined;
  const x = norm ? norm.x : features;
  const {
    treeOffsets,
    treeOutputs,
    nodeFeature,
    nodeThreshold,
    nodeLeft,
    nodeRight,
    nodeMissingLeft,
    nodeValue,
  } = spec;
  const out = new Float64Array(nRows * nOut);
  for (let r = 0; r < nRows; r++) out.set(spec.baseValues, r * nOut);
  for (let t = 0; t < treeOutputs.length; t++) {
    const base = treeOffsets[t]!;
    const o = treeOutputs[t]!;
    for (let r = 0; r < nRows; r++) {
      const row = r * F;
      let k = base;
      for (let f = nodeFeature[k]!; f >= 0; f = nodeFeature[k]!) {
        const v = Math.fround(x[row + f]!);
        const left = v <= nodeThreshold[k]! || (Number.isNaN(v) && nodeMissingLeft[k] === 1);
        k = base + (left ? nodeLeft[k]! : nodeRight[k]!);
      }
      out[r * nOut + o]! += nodeValue[k]!;
    }
  }
  if (spec.residualOf) {
    for (let r = 0; r < nRows; r++) {
      for (let o = 0; o < nOut; o++) out[r * nOut + o]! += features[r * F + spec.residualOf[o]!]!;
    }
  }
  return norm ? invertWindowNorm(out, norm, spec, nRows) : out;
}
