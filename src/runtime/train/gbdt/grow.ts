/** Leaf-wise (best-first) growth of one tree over binned rows, with histogram subtraction. */
import type { BinMapper } from './binning.js';
import { histAt, type TreeOps } from './ops.js';
import { findBestSplit, noSplit, type Split, type SplitConstraints } from './split.js';
import type { Tree } from './tree.js';
import { sideOf, type Workspace } from './workspace.js';

/** Shape limits of a tree plus the split constraints. */
export interface GrowParams extends SplitConstraints {
  numLeaves: number;
  /** -1 for no limit. */
  maxDepth: number;
}

/**
 * Grows trees one at a time over a workspace whose region `root` holds the tree's rows at positions
 * `0 … nRows` (with their gradients). Afterwards {@link addLeafValues} and {@link leafRows} tell which rows
 * each leaf holds.
 */
export class TreeGrower {
  /** Gradient sum and row count per leaf. */
  readonly leafG: Float64Array;
  readonly leafC: Float64Array;
  readonly #begin: Int32Array;
  readonly #end: Int32Array;
  readonly #depth: Int32Array;
  readonly #slot: Int32Array;
  /** Workspace region holding the leaf's positions. */
  readonly #region: Uint8Array;
  /** Internal node whose child is this leaf (-1 for the root leaf), and on which side. */
  readonly #parent: Int32Array;
  readonly #isLeft: Uint8Array;
  /** Leaves split last share their parent's positions, told apart by the parent's split (`#shared` 1). */
  readonly #shared: Uint8Array;
  readonly #splits: Split[];
  readonly #freeSlots: number[] = [];
  readonly #tree: Tree;

  constructor(
    private readonly mapper: BinMapper,
    private readonly ws: Workspace,
    private readonly ops: TreeOps,
    private readonly p: GrowParams,
  ) {
    const L = p.numLeaves;
    this.leafG = new Float64Array(L);
    this.leafC = new Float64Array(L);
    this.#begin = new Int32Array(L);
    this.#end = new Int32Array(L);
    this.#depth = new Int32Array(L);
    this.#slot = new Int32Array(L);
    this.#region = new Uint8Array(L);
    this.#parent = new Int32Array(L);
    this.#isLeft = new Uint8Array(L);
    this.#shared = new Uint8Array(L);
    this.#splits = Array.from({ length: L }, noSplit);
    ws.nBinsView.set(mapper.nBins);
    this.#tree = {
      nLeaves: 1,
      feature: new Int32Array(L - 1),
      bin: new Int32Array(L - 1),
      threshold: new Float32Array(L - 1),
      missingLeft: new Uint8Array(L - 1),
      left: new Int32Array(L - 1),
      right: new Int32Array(L - 1),
      leafValue: new Float64Array(L),
    };
  }

  /**
   * Grows a tree on the `nRows` rows at the start of region `root`, with gradient sum `sumG`, splitting only
   * features whose `featureMask` entry is 1. Returns the grower's reusable tree (leaf values left at 0).
   */
  grow(root: number, nRows: number, sumG: number, featureMask: Uint8Array): Tree {
    const tree = this.#tree;
    tree.nLeaves = 1;
    tree.leafValue.fill(0);
    this.ws.maskView.set(featureMask);
    this.#freeSlots.length = 0;
    for (let s = this.ws.slots - 2; s >= 0; s--) this.#freeSlots.push(s);
    this.#setLeaf(0, root, 0, nRows, sumG, nRows, 0, -1, false);
    if (this.#splittable(0, nRows)) {
      this.#slot[0] = this.#freeSlots.pop()!;
      this.ops.histogram(this.#slot[0], root * this.ws.n, root * this.ws.n + nRows);
      this.#evaluate(0);
    }
    while (tree.nLeaves < this.p.numLeaves) {
      const leaf = this.#bestLeaf();
      if (leaf < 0) break;
      this.#split(leaf);
    }
    return tree;
  }

  /** Adds `values[l]` to `pred[row]` for every row of every leaf `l` of the last tree. */
  addLeafValues(values: Float64Array, pred: Float64Array): void {
    const rows = this.ws.rowsView;
    for (let l = 0; l < this.#tree.nLeaves; l++) {
      const v = values[l]!;
      const [begin, end] = this.#positions(l);
      if (this.#shared[l] === 0) {
        for (let p = begin; p < end; p++) pred[rows[p]!]! += v;
      } else {
        const { f, bin, missingLeft, left } = this.#rule(l);
        for (let p = begin; p < end; p++)
          if (sideOf(this.ws, p, f, bin, missingLeft) === left) pred[rows[p]!]! += v;
      }
    }
  }

  /** Writes the rows of leaf `l` into `out`; returns their count. */
  leafRows(l: number, out: Int32Array): number {
    const rows = this.ws.rowsView;
    const [begin, end] = this.#positions(l);
    let k = 0;
    if (this.#shared[l] === 0) {
      for (let p = begin; p < end; p++) out[k++] = rows[p]!;
    } else {
      const { f, bin, missingLeft, left } = this.#rule(l);
      for (let p = begin; p < end; p++)
        if (sideOf(this.ws, p, f, bin, missingLeft) === left) out[k++] = rows[p]!;
    }
    return k;
  }

  /** Absolute positions of a leaf (shared leaves: their parent's). */
  #positions(l: number): [number, number] {
    const offset = this.#region[l]! * this.ws.n;
    return [offset + this.#begin[l]!, offset + this.#end[l]!];
  }

  /** The split that tells a shared leaf's rows from its sibling's. */
  #rule(l: number): { f: number; bin: number; missingLeft: boolean; left: boolean } {
    const node = this.#parent[l]!;
    const t = this.#tree;
    return {
      f: t.feature[node]!,
      bin: t.bin[node]!,
      missingLeft: t.missingLeft[node] === 1,
      left: this.#isLeft[l] === 1,
    };
  }

  /** Whether a leaf at `depth` with `count` rows could still be split; leaves that cannot need no histogram. */
  #splittable(depth: number, count: number): boolean {
    const { maxDepth, minDataInLeaf, minSumHessianInLeaf } = this.p;
    if (maxDepth > 0 && depth >= maxDepth) return false;
    return count >= 2 * Math.max(minDataInLeaf, minSumHessianInLeaf);
  }

  /** Finds the leaf's best split; a leaf without one gives its histogram slot back. */
  #evaluate(leaf: number): void {
    const split = this.#splits[leaf]!;
    const slot = this.#slot[leaf]!;
    findBestSplit(this.ws, slot, this.leafG[leaf]!, this.leafC[leaf]!, this.p, split);
    if (split.feature < 0) this.#freeSlots.push(slot);
  }

  #bestLeaf(): number {
    let best = -1;
    let gain = 0;
    for (let l = 0; l < this.#tree.nLeaves; l++) {
      const s = this.#splits[l]!;
      if (s.feature >= 0 && (best < 0 || s.gain > gain)) {
        best = l;
        gain = s.gain;
      }
    }
    return best;
  }

  /** Splits `leaf` into itself (left) and a new leaf (right), then prepares both children's splits. */
  #split(leaf: number): void {
    const tree = this.#tree;
    const s = this.#splits[leaf]!;
    const { feature, bin, missingLeft, leftG, leftC, rightG, rightC } = s;
    const node = tree.nLeaves - 1;
    const right = tree.nLeaves++;
    const nb = this.mapper.nBins[feature]!;
    tree.feature[node] = feature;
    tree.bin[node] = bin;
    tree.threshold[node] = bin < nb - 1 ? this.mapper.edges[feature]![bin]! : Number.POSITIVE_INFINITY;
    tree.missingLeft[node] = missingLeft ? 1 : 0;
    tree.left[node] = ~leaf;
    tree.right[node] = ~right;
    const parent = this.#parent[leaf]!;
    if (parent >= 0) {
      if (this.#isLeft[leaf]) tree.left[parent] = node;
      else tree.right[parent] = node;
    }
    const begin = this.#begin[leaf]!;
    const end = this.#end[leaf]!;
    const mid = begin + leftC;
    const depth = this.#depth[leaf]! + 1;
    const full = tree.nLeaves >= this.p.numLeaves;
    const leftOk = !full && this.#splittable(depth, leftC);
    const rightOk = !full && this.#splittable(depth, rightC);
    const parentSlot = this.#slot[leaf]!;
    const from = this.#region[leaf]!;
    if (!leftOk && !rightOk) {
      // Final leaves: no histogram will read their rows, so they are not moved.
      this.#setLeaf(leaf, from, begin, end, leftG, leftC, depth, node, true);
      this.#setLeaf(right, from, begin, end, rightG, rightC, depth, node, false);
      this.#shared[leaf] = 1;
      this.#shared[right] = 1;
      this.#freeSlots.push(parentSlot);
      return;
    }
    const to = from === 1 ? 2 : 1;
    this.ops.partition(from, to, begin, end, leftC, { feature, bin, missingLeft });
    this.#setLeaf(leaf, to, begin, mid, leftG, leftC, depth, node, true);
    this.#setLeaf(right, to, mid, end, rightG, rightC, depth, node, false);

    const offset = to * this.ws.n;
    const smaller = leftC <= rightC ? leaf : right;
    const larger = smaller === leaf ? right : leaf;
    const smallerOk = smaller === leaf ? leftOk : rightOk;
    const largerOk = smaller === leaf ? rightOk : leftOk;
    const build = (slot: number, l: number) =>
      this.ops.histogram(slot, offset + this.#begin[l]!, offset + this.#end[l]!);
    if (largerOk) {
      // Build the smaller child; the larger one is the parent minus it, in the parent's slot.
      const slot = this.#freeSlots.pop()!;
      build(slot, smaller);
      this.ws.kernel.subtract(histAt(this.ws, parentSlot), histAt(this.ws, slot), this.ws.histSize);
      this.#slot[larger] = parentSlot;
      this.#slot[smaller] = slot;
      this.#evaluate(larger);
      if (smallerOk) this.#evaluate(smaller);
      else this.#freeSlots.push(slot);
    } else {
      this.#slot[smaller] = parentSlot;
      build(parentSlot, smaller);
      this.#evaluate(smaller);
    }
  }

  #setLeaf(
    leaf: number,
    region: number,
    begin: number,
    end: number,
    g: number,
    c: number,
    depth: number,
    parent: number,
    isLeft: boolean,
  ): void {
    this.#region[leaf] = region;
    this.#begin[leaf] = begin;
    this.#end[leaf] = end;
    this.leafG[leaf] = g;
    this.leafC[leaf] = c;
    this.#depth[leaf] = depth;
    this.#parent[leaf] = parent;
    this.#isLeft[leaf] = isLeft ? 1 : 0;
    this.#shared[leaf] = 0;
    this.#splits[leaf]!.feature = -1;
  }
}
