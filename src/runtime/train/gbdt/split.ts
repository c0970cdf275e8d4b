/** Best split of a leaf from its histogram: every feature, every bin boundary, missing values sent either way. */
import { histAt } from './ops.js';
import type { Workspace } from './workspace.js';

/** Limits on the children of a split. */
export interface SplitConstraints {
  minDataInLeaf: number;
  minSumHessianInLeaf: number;
  minGainToSplit: number;
  lambdaL2: number;
}

/** A candidate split; `feature` is -1 when the leaf cannot be split. */
export interface Split {
  /** Loss reduction, `GL²/(CL+λ) + GR²/(CR+λ) − G²/(C+λ)` (half the usual factor, as LightGBM reports it). */
  gain: number;
  feature: number;
  /** Value bins `<= bin` go left. */
  bin: number;
  missingLeft: boolean;
  leftG: number;
  leftC: number;
  rightG: number;
  rightC: number;
}

/** A split that splits nothing. */
export function noSplit(): Split {
  return { gain: 0, feature: -1, bin: 0, missingLeft: false, leftG: 0, leftC: 0, rightG: 0, rightC: 0 };
}

/**
 * Scans the histogram in slot `slot` of a leaf holding `count` rows with gradient sum `sumG` (WASM kernel),
 * over the features flagged in `ws.maskView`. With missing values in the leaf, both sides are tried for them
 * (and "all values left, missing right"); without, missing values later follow the larger child. Ties keep
 * the first candidate (lowest feature, then lowest bin).
 */
export function findBestSplit(
  ws: Workspace,
  slot: number,
  sumG: number,
  count: number,
  c: SplitConstraints,
  out: Split,
): void {
  const minC = Math.max(c.minDataInLeaf, c.minSumHessianInLeaf);
  ws.kernel.bestSplit(
    histAt(ws, slot),
    ws.nFeatures,
    ws.nBins,
    ws.mask,
    sumG,
    count,
    c.lambdaL2,
    minC,
    c.minGainToSplit,
    ws.out,
  );
  const o = ws.outView;
  out.gain = o[0]!;
  out.feature = o[1]!;
  out.bin = o[2]!;
  out.missingLeft = o[3] === 1;
  out.leftG = o[4]!;
  out.leftC = o[5]!;
  out.rightG = sumG - out.leftG;
  out.rightC = count - out.leftC;
}
