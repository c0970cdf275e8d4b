/** ForecasterConfig: where checkpoints go, how data is split, how models are combined. */
import { z } from 'zod';
import { AciOptionsSchema } from '../aci.js';
import { CONFORMAL_SPANS } from '../conformal.js';
import { ConfigError } from '../errors.js';
import { type FourierOrders, FourierOrdersSchema } from './pipeline-config.js';

const isoDate = z.string().refine((s) => !Number.isNaN(Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s)), {
  message: 'expected a date such as "2017-06-30" or "2017-06-30T12:00"',
});

/** How training rows are split: the validation fraction and the test bounds. */
export const SplitConfigSchema = z
  .object({
    /** Last day (inclusive) of the training split. */
    trainEnd: isoDate.optional(),
    /** First day (inclusive) of the test split. */
    testStart: isoDate.optional(),
    /** Share of rows held out for test when neither date is given. */
    testFraction: z.number().gt(0).lt(1).default(0.2),
    /** Share of the training windows (the latest) held out for validation metrics. */
    valFraction: z.number().min(0).lt(1).default(0.1),
  })
  .strict();
/** A parsed split config. */
export type SplitConfig = z.output<typeof SplitConfigSchema>;

/** How a fleet is trained: one model per series, or one global model over all of them. */
export const FLEET_STRATEGIES = ['per_series', 'global'] as const;
/** One of `FLEET_STRATEGIES`. */
export type FleetStrategy = (typeof FLEET_STRATEGIES)[number];

/**
 * How model forecasts combine into the ensemble: element-wise `mean` or `median`, or learned on the validation
 * split — `weighted` (non-negative weights per horizon step) and `best` (the model with the lowest validation MAE).
 */
export const ENSEMBLE_STRATEGIES = ['mean', 'median', 'weighted', 'best'] as const;
/** One of `ENSEMBLE_STRATEGIES`. */
export type EnsembleStrategy = (typeof ENSEMBLE_STRATEGIES)[number];

/**
 * Where conformal residuals come from: `split` — the validation tail only; `cv_plus` — also `folds` rolling
 * origins across the training span (models refit on the rows before each origin forecast the block after it),
 * pooled per horizon step and target. See docs/evaluation.md.
 */
export const CONFORMAL_METHODS = ['split', 'cv_plus'] as const;
/** One of `CONFORMAL_METHODS`. */
export type ConformalMethod = (typeof CONFORMAL_METHODS)[number];

/** How the conformal tables are calibrated. */
export const ConformalConfigSchema = z
  .object({
    /** Default `cv_plus`: one validation tail under-covers models that drift (measured in docs/evaluation.md). */
    method: z.enum(CONFORMAL_METHODS).default('cv_plus'),
    /** Rolling origins of `cv_plus` (each refits every model once). */
    folds: z.int().min(1).max(20).default(4),
    /**
     * Fold models train on every `foldStride`-th training window: hourly windows overlap almost entirely, so a
     * refit on a quarter of them costs a quarter (GBDT) and forecasts nearly as well.
     */
    foldStride: z.int().min(1).default(4),
    /**
     * Put each fold's residuals on the validation tail's volatility (mean |y[t] − y[t − horizon]| of the rows
     * each forecasts): older stretches then say how much worse a model does out of its period, not how restless
     * the series was back then.
     */
    rescale: z.boolean().default(true),
    /**
     * Where the fold cuts fall: `whole` (default) — expanding-window origins over the whole span (the first fold
     * trains on 1/(folds + 1) of it), so early folds forecast levels their models never saw, as the test split
     * may; `second_half` — equal blocks over the second half of the rows before validation.
     */
    span: z.enum(CONFORMAL_SPANS).default('whole'),
  })
  .strict();
/** A parsed conformal config. */
export type ConformalConfig = z.output<typeof ConformalConfigSchema>;

/** Calibration on the validation tail alone (also what a table from before CV+ records). */
export const SPLIT_CONFORMAL: ConformalConfig = {
  method: 'split',
  folds: 0,
  foldStride: 1,
  rescale: true,
  span: 'second_half',
};

/** Adaptive conformal inference served by `/predict-interval` and fed by `/monitor/performance`. */
export const IntervalsConfigSchema = z
  .object({
    /** ACI options (`gamma`, `target`); absent: the static conformal table is served. */
    adaptive: AciOptionsSchema.strict().optional(),
  })
  .strict();
/** A parsed intervals config. */
export type IntervalsConfig = z.output<typeof IntervalsConfigSchema>;

/** twiga's `ForecasterConfig`: pipeline, models, split and ensemble. */
export const ForecasterConfigSchema = z
  .object({
    /** Folder (or bucket prefix) holding checkpoints. */
    checkpointRoot: z.string().min(1).default('checkpoints'),
    /** Checkpoint name: versions live under `<checkpointRoot>/<name>/`. */
    name: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, { message: 'use letters, digits, ".", "_" or "-"' })
      .default('twiga'),
    split: SplitConfigSchema.default({ testFraction: 0.2, valFraction: 0.1 }),
    ensemble: z.enum(ENSEMBLE_STRATEGIES).default('mean'),
    conformal: ConformalConfigSchema.default({
      method: 'cv_plus',
      folds: 4,
      foldStride: 4,
      rescale: true,
      span: 'whole',
    }),
    intervals: IntervalsConfigSchema.default({}),
    /**
     * With an id column: `per_series` trains one checkpoint per series under `<name>/<series>/`; `global`
     * trains one model on the windows of every series (one checkpoint under `<name>/`).
     */
    strategy: z.enum(FLEET_STRATEGIES).default('per_series'),
    /** Threads training `per_series` series side by side; default: the machine's available parallelism. */
    workers: z.int().min(1).optional(),
    seed: z.int().default(42),
    /** Tune tunable models (gbdt) with TPE on the validation windows. */
    tune: z.boolean().default(false),
    /** Trials per tuned model (the configured parameters are the first). */
    numTrials: z.int().min(1).default(20),
    /**
     * With `tune`: the most Fourier order per cycle to search (`numTrials` trials, the pipeline's orders first; each
     * trial trains every model once). Absent: the pipeline's orders are kept.
     */
    tuneFourier: FourierOrdersSchema.optional(),
  })
  .strict();
/** A parsed forecaster config. */
export type ForecasterConfig = z.output<typeof ForecasterConfigSchema>;

/**
 * The tuning a forecaster config asks for: trials, seed and the Fourier search; `undefined` when `tune` is off.
 * @throws ConfigError on `train.tuneFourier` when it is given without `tune`.
 */
export function tuneOptions(
  train: Pick<ForecasterConfig, 'tune' | 'numTrials' | 'seed' | 'tuneFourier'>,
): { numTrials: number; seed: number; fourier?: FourierOrders } | undefined {
  if (!train.tune) {
    if (train.tuneFourier) {
      throw new ConfigError(
        'train.tuneFourier searches the Fourier orders while tuning: set train.tune (--tune)',
        [{ path: 'train.tuneFourier', message: 'needs train.tune' }],
      );
    }
    return undefined;
  }
  return {
    numTrials: train.numTrials,
    seed: train.seed,
    ...(train.tuneFourier ? { fourier: train.tuneFourier } : {}),
  };
}
