/** Trainer trees → the runtime's flat `GbdtSpec` (internal nodes first, then leaves, per tree). */
import type { GbdtSpec } from '../../models/spec.js';
import type { OutputFit } from './booster.js';
import type { GbdtParams } from './params.js';

/** Where the spec's label and output layout come from. */
export interface SpecIO {
  label: string;
  nFeatures: number;
  horizon: number;
  nTargets: number;
}

/** Flattens every output's trees, output by output, into one spec. */
export function toSpec(fits: readonly OutputFit[], params: GbdtParams, io: SpecIO): GbdtSpec {
  let nTrees = 0;
  let nNodes = 0;
  for (const fit of fits) {
    nTrees += fit.trees.length;
    for (const t of fit.trees) nNodes += 2 * t.nLeaves - 1;
  }
  const spec: GbdtSpec = {
    kind: 'gbdt',
    label: io.label,
    nFeatures: io.nFeatures,
    horizon: io.horizon,
    nTargets: io.nTargets,
    objective: params.objective === 'quantile' ? 'quantile' : 'squared_error',
    ...(params.objective === 'quantile' ? { alpha: params.alpha } : {}),
    baseValues: Float64Array.from(fits, (f) => f.base),
    treeOutputs: new Int32Array(nTrees),
    treeOffsets: new Int32Array(nTrees + 1),
    nodeFeature: new Int32Array(nNodes),
    nodeThreshold: new Float32Array(nNodes),
    nodeLeft: new Int32Array(nNodes),
    nodeRight: new Int32Array(nNodes),
    nodeMissingLeft: new Uint8Array(nNodes),
    nodeValue: new Float64Array(nNodes),
  };
  let t = 0;
  let k = 0;
  fits.forEach((fit, o) => {
    for (const tree of fit.trees) {
      const L = tree.nLeaves;
      const local = (child: number) => (child >= 0 ? child : L - 1 + ~child);
      spec.treeOutputs[t] = o;
      spec.treeOffsets[t] = k;
      for (let i = 0; i < L - 1; i++) {
        spec.nodeFeature[k + i] = tree.feature[i]!;
        spec.nodeThreshold[k + i] = tree.threshold[i]!;
        spec.nodeLeft[k + i] = local(tree.left[i]!);
        spec.nodeRight[k + i] = local(tree.right[i]!);
        spec.nodeMissingLeft[k + i] = tree.missingLeft[i]!;
      }
      for (let l = 0; l < L; l++) {
        spec.nodeFeature[k + L - 1 + l] = -1;
        spec.nodeValue[k + L - 1 + l] = tree.leafValue[l]!;
      }
      k += 2 * L - 1;
      t++;
    }
  });
  spec.treeOffsets[nTrees] = k;
  return spec;
}
