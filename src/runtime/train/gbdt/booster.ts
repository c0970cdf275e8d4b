/** Boosting for one output: bagging, feature sampling, tree growth, leaf outputs and early stopping. */
import { mulberry32 } from '../../synthetic.js';
import type { BinMapper, BinMatrix } from './binning.js';
import { TreeGrower } from './grow.js';
import { type Objective, quantileObjective, squaredError } from './objective.js';
import type { TreeOps } from './ops.js';
import type { GbdtParams } from './params.js';
import { compactTree, leafOfBinnedRow, type Tree } from './tree.js';
import type { Workspace } from './workspace.js';

/** Progress after each boosting round of one output. */
export interface GbdtIteration {
  output: number;
  /** 1-based round. */
  iteration: number;
  trainLoss: number;
  validLoss?: number;
}

/** Binned rows and one output's targets. */
export interface OutputData {
  m: BinMatrix;
  mapper: BinMapper;
  /** Targets of this output, `[n]`. */
  y: Float64Array;
  valid?: { m: BinMatrix; y: Float64Array };
}

/** One output's ensemble and its training record. */
export interface OutputFit {
  base: number;
  trees: Tree[];
  /** Trees kept: the round with the lowest validation loss, or every round without validation. */
  bestIteration: number;
  trainLoss: Float64Array;
  validLoss: Float64Array;
  /** Predictions on the training rows from the kept trees, computed on the bins. */
  trainPred: Float64Array;
}

/** The objective named by the parameters. */
export function objectiveFor(p: GbdtParams): Objective {
  return p.objective === 'quantile' ? quantileObjective(p.alpha) : squaredError;
}

/** The seed of output `o`: its bagging and feature draws do not depend on which thread trains it. */
export function outputSeed(seed: number, o: number): number {
  return (seed ^ Math.imul(o + 1, 0x9e3779b1)) >>> 0;
}

function addTree(tree: Tree, m: BinMatrix, pred: Float64Array, sign: number): void {
  for (let r = 0; r < m.n; r++)
    pred[r]! += sign * tree.leafValue[leafOfBinnedRow(tree, m.bins, m.stride, r)]!;
}

/** Flags the rows drawn for this tree (Bernoulli per row, in row order); returns the count. */
function drawRows(fraction: number, rand: () => number, inBag: Uint8Array): number {
  let k = 0;
  for (let r = 0; r < inBag.length; r++) {
    const take = rand() < fraction;
    inBag[r] = take ? 1 : 0;
    if (take) k++;
  }
  return k;
}

/** Features a tree may split on: `round(fraction · F)` (at least 1) drawn without replacement. */
function drawFeatures(
  F: number,
  fraction: number,
  rand: () => number,
  mask: Uint8Array,
  pool: Int32Array,
): void {
  if (fraction >= 1) {
    mask.fill(1);
    return;
  }
  mask.fill(0);
  const k = Math.max(1, Math.round(fraction * F));
  for (let i = 0; i < F; i++) pool[i] = i;
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rand() * (F - i));
    const t = pool[i]!;
    pool[i] = pool[j]!;
    pool[j] = t;
    mask[pool[i]!] = 1;
  }
}

/**
 * Boosts `params.numTrees` trees on one output (fewer if early stopping triggers or no leaf can be split).
 * @param output index of the output, for its seed and for progress reports.
 */
export function boostOutput(
  data: OutputData,
  ws: Workspace,
  ops: TreeOps,
  params: GbdtParams,
  output: number,
  onIteration?: (info: GbdtIteration) => void,
): OutputFit {
  const { m, y, valid } = data;
  const n = m.n;
  const F = m.nFeatures;
  const objective = objectiveFor(params);
  const base = objective.baseValue(y);
  const pred = new Float64Array(n).fill(base);
  const validPred = new Float64Array(valid?.m.n ?? 0).fill(base);
  const rand = mulberry32(outputSeed(params.seed, output));
  const grower = new TreeGrower(data.mapper, ws, ops, params);
  const mask = new Uint8Array(F);
  const pool = new Int32Array(F);
  const bagging = params.baggingFraction < 1;
  const inBag = ws.flagsView;
  const leafRows = new Int32Array(objective.refitsLeaves ? n : 0);
  const trees: Tree[] = [];
  const trainLoss: number[] = [];
  const validLoss: number[] = [];
  const stopAfter = valid && valid.m.n > 0 ? params.earlyStoppingRounds : 0;
  let best = Number.POSITIVE_INFINITY;
  let bestIteration = 0;
  for (let it = 0; it < params.numTrees; it++) {
    objective.gradients(y, pred, ws.gradView.subarray(0, n));
    let root = 0;
    let nRows = n;
    if (bagging) {
      nRows = drawRows(params.baggingFraction, rand, inBag);
      root = 1;
      ops.partition(0, root, 0, n, nRows, 'flagged');
    }
    drawFeatures(F, params.featureFraction, rand, mask, pool);
    let sumG = 0;
    for (let i = root * n, end = root * n + nRows; i < end; i++) sumG += ws.gradView[i]!;
    const tree = grower.grow(root, nRows, sumG, mask);
    if (tree.nLeaves < 2) break;
    for (let l = 0; l < tree.nLeaves; l++) {
      const count = objective.refitsLeaves ? grower.leafRows(l, leafRows) : 0;
      const v = objective.leafValue(grower.leafG[l]!, grower.leafC[l]!, params.lambdaL2, {
        rows: leafRows,
        count,
        y,
        pred,
      });
      tree.leafValue[l] = params.learningRate * v;
    }
    grower.addLeafValues(tree.leafValue, pred);
    if (bagging) {
      for (let r = 0; r < n; r++) {
        if (inBag[r] === 0) pred[r]! += tree.leafValue[leafOfBinnedRow(tree, m.bins, m.stride, r)]!;
      }
    }
    trees.push(compactTree(tree));
    trainLoss.push(objective.loss(y, pred));
    if (valid && validPred.length > 0) {
      addTree(tree, valid.m, validPred, 1);
      validLoss.push(objective.loss(valid.y, validPred));
    }
    const vl = validLoss[it];
    onIteration?.({
      output,
      iteration: it + 1,
      trainLoss: trainLoss[it]!,
      ...(vl === undefined ? {} : { validLoss: vl }),
    });
    if (stopAfter > 0 && vl !== undefined) {
      if (vl < best) {
        best = vl;
        bestIteration = it + 1;
      } else if (it + 1 - bestIteration >= stopAfter) break;
    }
  }
  if (stopAfter > 0 && bestIteration > 0 && bestIteration < trees.length) {
    for (const t of trees.splice(bestIteration)) addTree(t, m, pred, -1);
  }
  return {
    base,
    trees,
    bestIteration: stopAfter > 0 && bestIteration > 0 ? bestIteration : trees.length,
    trainLoss: Float64Array.from(trainLoss),
    validLoss: Float64Array.from(validLoss),
    trainPred: pred,
  };
}

/** Targets of output `o` from output-major columns. */
export function column(yCols: Float64Array, n: number, o: number): Float64Array {
  return yCols.subarray(o * n, (o + 1) * n);
}
