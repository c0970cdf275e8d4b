/** A trained regression tree in the trainer's form: internal nodes with bin thresholds, leaves by index. */
import { MISSING_BIN } from './binning.js';

/**
 * `nLeaves - 1` internal nodes (node 0 is the root) and `nLeaves` leaves. A child `>= 0` is an internal
 * node, `< 0` is leaf `~child`. A row goes left when its bin is `<= bin` (its float32 value `<= threshold`),
 * or when it is missing and `missingLeft` is 1.
 */
export interface Tree {
  nLeaves: number;
  feature: Int32Array;
  bin: Int32Array;
  threshold: Float32Array;
  missingLeft: Uint8Array;
  left: Int32Array;
  right: Int32Array;
  /** Leaf outputs, learning rate applied. */
  leafValue: Float64Array;
}

/** Leaf index reached by row `r` of a row-major bin matrix with `stride` bytes per row. */
export function leafOfBinnedRow(tree: Tree, bins: Uint8Array, stride: number, r: number): number {
  if (tree.nLeaves === 1) return 0;
  const base = r * stride;
  let node = 0;
  do {
    const b = bins[base + tree.feature[node]!]!;
    const left = b === MISSING_BIN ? tree.missingLeft[node] === 1 : b <= tree.bin[node]!;
    node = left ? tree.left[node]! : tree.right[node]!;
  } while (node >= 0);
  return ~node;
}

/** Copies a tree into arrays of exactly its size (for keeping or sending to another thread). */
export function compactTree(t: Tree): Tree {
  const k = Math.max(0, t.nLeaves - 1);
  return {
    nLeaves: t.nLeaves,
    feature: t.feature.slice(0, k),
    bin: t.bin.slice(0, k),
    threshold: t.threshold.slice(0, k),
    missingLeft: t.missingLeft.slice(0, k),
    left: t.left.slice(0, k),
    right: t.right.slice(0, k),
    leafValue: t.leafValue.slice(0, t.nLeaves),
  };
}
