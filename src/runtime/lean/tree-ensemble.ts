/** ai.onnx.ml TreeEnsembleRegressor → a packed forest laid out as onnxruntime walks it. */

import { FEATURE_MASK, LEAF_BIT, MISSING_BIT, MODE_SHIFT, type PackedForest } from './kernels.js';
import type { Attribute, NodeProto } from './proto.js';
import { UnsupportedGraphError } from './unsupported.js';

const MODES: Record<string, number> = {
  BRANCH_LEQ: 0,
  BRANCH_LT: 1,
  BRANCH_GTE: 2,
  BRANCH_GT: 3,
  BRANCH_EQ: 4,
  BRANCH_NEQ: 5,
};
const OP = 'ai.onnx.ml.TreeEnsembleRegressor';

/** The forest and the highest feature index it reads (the input must have more columns). */
export interface CompiledForest {
  forest: PackedForest;
  maxFeature: number;
}

/**
 * Packs a TreeEnsembleRegressor node. Trees run in the order they first appear in `nodes_treeids`, each from
 * its first listed node, and each leaf's weights in attribute order: onnxruntime's summation order.
 * @throws UnsupportedGraphError for what the lean engine leaves to onnxruntime (double `*_as_tensor`
 *   attributes, aggregates other than SUM, post transforms other than NONE, trees listed out of order).
 */
export function compileTreeEnsemble(label: string, node: NodeProto): CompiledForest {
  const refuse = (detail: string): never => {
    throw new UnsupportedGraphError(label, OP, detail, { node: node.name });
  };
  const a = (name: string): Attribute | undefined => node.attributes.get(name);
  for (const name of [
    'nodes_values_as_tensor',
    'target_weights_as_tensor',
    'base_values_as_tensor',
    'nodes_hitrates_as_tensor',
  ]) {
    if (a(name)) refuse(`attribute ${name} (double precision) is not supported`);
  }
  const aggregate = a('aggregate_function')?.s ?? 'SUM';
  if (aggregate !== 'SUM') refuse(`aggregate_function "${aggregate}" is not supported (only SUM)`);
  const post = a('post_transform')?.s ?? 'NONE';
  if (post !== 'NONE') refuse(`post_transform "${post}" is not supported (only NONE)`);
  const nOut = a('n_targets')?.i ?? 1;
  const treeIds = a('nodes_treeids')?.ints ?? [];
  const nodeIds = a('nodes_nodeids')?.ints ?? [];
  const featureIds = a('nodes_featureids')?.ints ?? [];
  const values = a('nodes_values')?.floats ?? [];
  const modes = a('nodes_modes')?.strings ?? [];
  const trueIds = a('nodes_truenodeids')?.ints ?? [];
  const falseIds = a('nodes_falsenodeids')?.ints ?? [];
  const missing = a('nodes_missing_value_tracks_true')?.ints ?? [];
  const tTree = a('target_treeids')?.ints ?? [];
  const tNode = a('target_nodeids')?.ints ?? [];
  const tIds = a('target_ids')?.ints ?? [];
  const tWeights = a('target_weights')?.floats ?? [];
  const baseValues = a('base_values')?.floats ?? [];
  const n = treeIds.length;
  for (const [name, arr] of [
    ['nodes_nodeids', nodeIds],
    ['nodes_featureids', featureIds],
    ['nodes_modes', modes],
    ['nodes_truenodeids', trueIds],
    ['nodes_falsenodeids', falseIds],
  ] as const) {
    if (arr.length !== n) refuse(`${name} holds ${arr.length} entries for ${n} nodes`);
  }
  if (values.length !== 0 && values.length !== n)
    refuse(`nodes_values holds ${values.length} entries for ${n} nodes`);
  if (missing.length !== 0 && missing.length !== n)
    refuse(`nodes_missing_value_tracks_true holds ${missing.length} entries for ${n} nodes`);
  const nw = tTree.length;
  if (tNode.length !== nw || tIds.length !== nw || tWeights.length !== nw)
    refuse('target_* attributes differ in length');
  if (baseValues.length !== 0 && baseValues.length !== nOut)
    refuse(`base_values holds ${baseValues.length} values for ${nOut} targets`);
  if (n === 0) refuse('the ensemble has no nodes');

  // Position of each (tree, node) id pair; trees must be contiguous runs of nodes.
  const key = (t: number, k: number) => `${t}/${k}`;
  const position = new Map<string, number>();
  const roots: number[] = [];
  const seenTrees = new Set<number>();
  for (let i = 0; i < n; i++) {
    const t = treeIds[i]!;
    if (i === 0 || treeIds[i - 1] !== t) {
      if (seenTrees.has(t)) refuse(`the nodes of tree ${t} are not listed together`);
      seenTrees.add(t);
      roots.push(i);
    }
    const k = key(t, nodeIds[i]!);
    if (position.has(k)) refuse(`node ${nodeIds[i]} of tree ${t} is listed twice`);
    position.set(k, i);
  }
  // Leaf weights grouped by leaf, in attribute order.
  const byLeaf = new Map<number, number[]>();
  const covered = new Uint8Array(nOut);
  for (let j = 0; j < nw; j++) {
    const at = position.get(key(tTree[j]!, tNode[j]!));
    if (at === undefined)
      refuse(`target ${j} names node ${tNode[j]} of tree ${tTree[j]}, which does not exist`);
    const target = tIds[j]!;
    if (!(target >= 0 && target < nOut)) refuse(`target ${j} adds to output ${target}, outside [0, ${nOut})`);
    covered[target] = 1;
    const list = byLeaf.get(at!) ?? [];
    list.push(j);
    byLeaf.set(at!, list);
  }
  const nodes = new Int32Array(4 * n);
  const leaves = new Int32Array(2 * n);
  const thresholds = new Float32Array(nodes.buffer);
  const weights = new Int32Array(2 * nw);
  const weightValues = new Float32Array(weights.buffer);
  let nextWeight = 0;
  let allLeq = true;
  let maxFeature = -1;
  for (let i = 0; i < n; i++) {
    const mode = modes[i]!;
    const t = treeIds[i]!;
    if (mode === 'LEAF') {
      const list = byLeaf.get(i) ?? [];
      nodes[4 * i] = LEAF_BIT;
      nodes[4 * i + 2] = i;
      nodes[4 * i + 3] = i;
      leaves[2 * i] = nextWeight;
      leaves[2 * i + 1] = list.length;
      for (const j of list) {
        weights[2 * nextWeight] = tIds[j]!;
        weightValues[2 * nextWeight + 1] = tWeights[j]!;
        nextWeight++;
      }
      continue;
    }
    const m = MODES[mode];
    if (m === undefined) refuse(`node mode "${mode}" is not supported`);
    if (m !== 0) allLeq = false;
    const f = featureIds[i]!;
    if (!(f >= 0 && f <= FEATURE_MASK)) refuse(`node ${nodeIds[i]} of tree ${t} reads feature ${f}`);
    maxFeature = Math.max(maxFeature, f);
    const yes = position.get(key(t, trueIds[i]!));
    const no = position.get(key(t, falseIds[i]!));
    if (yes === undefined || no === undefined)
      refuse(`node ${nodeIds[i]} of tree ${t} has a child that does not exist`);
    nodes[4 * i] = f | (m! << MODE_SHIFT) | (missing[i] ? MISSING_BIT : 0);
    thresholds[4 * i + 1] = values[i] ?? 0;
    nodes[4 * i + 2] = yes!;
    nodes[4 * i + 3] = no!;
  }
  // A cycle would hang the traversal: every path must end at a leaf, visiting each node at most once.
  let visits = 0;
  const depths = new Int32Array(roots.length);
  roots.forEach((root, t) => {
    const stack: Array<[number, number]> = [[root, 0]];
    while (stack.length > 0) {
      const [at, depth] = stack.pop()!;
      if (depth > n || ++visits > n) refuse(`tree ${treeIds[root]} is not a tree (a cycle or a shared node)`);
      depths[t] = Math.max(depths[t]!, depth);
      if ((nodes[4 * at]! & LEAF_BIT) === 0) {
        stack.push([nodes[4 * at + 2]!, depth + 1], [nodes[4 * at + 3]!, depth + 1]);
      }
    }
  });
  const base = new Float32Array(nOut);
  base.set(baseValues);
  return {
    forest: { nodes, leaves, weights, roots: Int32Array.from(roots), depths, base, covered, nOut, allLeq },
    maxFeature,
  };
}
