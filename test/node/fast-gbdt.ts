/**
 * GBDT settings cheap enough for a year of hourly windows in a test and the accuracy bench (issue 14): every fifth
 * training window, fewer bins, half the rows per tree and a higher learning rate with fewer trees.
 */
import type { GbdtConfig } from '../../src/runtime/schemas/model-config.js';

export const FAST_GBDT = {
  windowStride: 5,
  numTrees: 150,
  learningRate: 0.1,
  numLeaves: 64,
  minDataInLeaf: 5,
  lambdaL2: 1,
  maxBins: 63,
  baggingFraction: 0.5,
} as const satisfies Partial<GbdtConfig>;
