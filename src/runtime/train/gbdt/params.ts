/** GBDT hyperparameters: names, LightGBM-like defaults, and validation. */
import { ConfigError, type TwigaIssue } from '../../errors.js';
import { type TrainingBackend, trainingBackend } from '../backend.js';

/** Loss to minimise: squared error (`l2` is LightGBM's alias) or the pinball loss at `alpha`. */
export type GbdtObjective = 'squared_error' | 'l2' | 'quantile';

/** Hyperparameters of {@link trainGbdt}; LightGBM's meanings, camelCase names. */
export interface GbdtParams {
  /** @default 'squared_error' */
  objective: GbdtObjective;
  /** Quantile level of the `quantile` objective, in (0, 1). @default 0.5 */
  alpha: number;
  /** Boosting rounds per output (an upper bound with early stopping). @default 300 */
  numTrees: number;
  /** Shrinkage applied to every leaf. @default 0.05 */
  learningRate: number;
  /** Maximum leaves per tree; trees grow best-first up to it. @default 31 */
  numLeaves: number;
  /** Maximum depth; -1 for no limit. @default 6 */
  maxDepth: number;
  /** Minimum training rows in a leaf. @default 20 */
  minDataInLeaf: number;
  /** Minimum hessian sum in a leaf (hessians are 1 for both objectives, so a row count). @default 1e-3 */
  minSumHessianInLeaf: number;
  /** Minimum gain for a split to be made. @default 0 */
  minGainToSplit: number;
  /** L2 penalty on leaf values. @default 0 */
  lambdaL2: number;
  /** Fraction of rows drawn (per row, Bernoulli) for each tree. @default 1 */
  baggingFraction: number;
  /** Fraction of features a tree may split on, drawn per tree. @default 1 */
  featureFraction: number;
  /** Value bins per feature (missing values get one more), at most 255. @default 255 */
  maxBins: number;
  /** Stop when the validation loss has not improved for this many rounds; 0 disables. @default 30 */
  earlyStoppingRounds: number;
  /** Seeds bagging, feature sampling and bin sampling. @default 42 */
  seed: number;
  /** Threads: several outputs train in parallel, one output uses at most two; results do not depend on it. @default min(cores, 4) */
  threads: number;
}

/** Defaults as in twiga's LightGBM config (numTrees 300, learning rate 0.05, 31 leaves, depth 6). */
export const GBDT_DEFAULTS: Readonly<Omit<GbdtParams, 'threads'>> = {
  objective: 'squared_error',
  alpha: 0.5,
  numTrees: 300,
  learningRate: 0.05,
  numLeaves: 31,
  maxDepth: 6,
  minDataInLeaf: 20,
  minSumHessianInLeaf: 1e-3,
  minGainToSplit: 0,
  lambdaL2: 0,
  baggingFraction: 1,
  featureFraction: 1,
  maxBins: 255,
  earlyStoppingRounds: 30,
  seed: 42,
};

type Check = [keyof GbdtParams, (v: number) => boolean, string];

const CHECKS: Check[] = [
  ['alpha', (v) => v > 0 && v < 1, 'in (0, 1)'],
  ['numTrees', (v) => Number.isInteger(v) && v >= 1, 'an integer >= 1'],
  ['learningRate', (v) => v > 0, '> 0'],
  ['numLeaves', (v) => Number.isInteger(v) && v >= 2 && v <= 4096, 'an integer in [2, 4096]'],
  ['maxDepth', (v) => Number.isInteger(v) && (v === -1 || v >= 1), '-1 or an integer >= 1'],
  ['minDataInLeaf', (v) => Number.isInteger(v) && v >= 1, 'an integer >= 1'],
  ['minSumHessianInLeaf', (v) => v >= 0, '>= 0'],
  ['minGainToSplit', (v) => v >= 0, '>= 0'],
  ['lambdaL2', (v) => v >= 0, '>= 0'],
  ['baggingFraction', (v) => v > 0 && v <= 1, 'in (0, 1]'],
  ['featureFraction', (v) => v > 0 && v <= 1, 'in (0, 1]'],
  ['maxBins', (v) => Number.isInteger(v) && v >= 2 && v <= 255, 'an integer in [2, 255]'],
  ['earlyStoppingRounds', (v) => Number.isInteger(v) && v >= 0, 'an integer >= 0'],
  ['seed', (v) => Number.isInteger(v), 'an integer'],
  ['threads', (v) => Number.isInteger(v) && v >= 1, 'an integer >= 1'],
];

/**
 * Fills defaults and validates every field.
 * @throws ConfigError listing each out-of-range field (`gbdt.numLeaves: expected an integer in [2, 4096], got 1`).
 */
export function resolveGbdtParams(
  params: Partial<GbdtParams> = {},
  backend: TrainingBackend = trainingBackend(),
): GbdtParams {
  const defined = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));
  const p: GbdtParams = {
    ...GBDT_DEFAULTS,
    threads: backend.defaultThreads ?? 1,
    ...defined,
  };
  const issues: TwigaIssue[] = [];
  if (!['squared_error', 'l2', 'quantile'].includes(p.objective)) {
    issues.push({
      path: 'gbdt.objective',
      message: `expected "squared_error", "l2" or "quantile", got ${JSON.stringify(p.objective)}`,
    });
  }
  for (const [key, ok, expected] of CHECKS) {
    const v = p[key];
    if (typeof v !== 'number' || !ok(v)) {
      issues.push({ path: `gbdt.${key}`, message: `expected ${expected}, got ${JSON.stringify(v)}` });
    }
  }
  if (issues.length > 0) {
    throw new ConfigError(
      `invalid gbdt parameters: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      issues,
    );
  }
  return p;
}
