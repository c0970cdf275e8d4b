/** Per-model configs (twiga's SEASONALNAIVEConfig, LinearConfig, ...), discriminated by `name`. */
import { z } from 'zod';
import { tryParsePeriod } from '../period.js';

/** A model's name in outputs and file names: letters, digits, `_` and `-`. */
const label = z
  .string()
  .regex(/^[A-Za-z0-9_-]+$/)
  .optional();

/** A season length as a duration (`1D`, `7D`) or a count of periods. */
const season = z.union([
  z.int().positive(),
  z.string().refine((s) => tryParsePeriod(s) !== undefined, {
    message: 'expected a duration such as "1D" or "7D"',
  }),
]);

/**
 * Target transforms of the GBDT: `seasonal_residual` learns y − y[one season back] (the seasonal naive) and
 * adds the naive back in the exported graph, so the trees follow level shifts they never saw; `window_norm`
 * standardises each window by the mean and std of its last season of target lags (features and target) and
 * undoes it in the graph; `none` learns y; `auto` (the default) is `seasonal_residual` when the lookback covers
 * the season, else `none`.
 */
export const GBDT_TRANSFORMS = ['auto', 'none', 'seasonal_residual', 'window_norm'] as const;

/** twiga's `SEASONALNAIVEConfig`: repeat the value one season back. */
export const SeasonalNaiveConfig = z
  .object({
    name: z.literal('seasonal_naive'),
    /** Season length as a duration (`1D`, `7D`) or a count of periods. */
    season: season.default('1D'),
    /** Label used in outputs and file names; defaults to `seasonal_naive_<season>`. */
    label,
  })
  .strict();

/** Ridge regression, direct multi-horizon: `alpha` as in scikit-learn. */
export const LinearConfig = z
  .object({
    name: z.literal('linear'),
    /** Ridge penalty on standardised features (intercept unpenalised). */
    alpha: z.number().min(0).default(1),
    label,
  })
  .strict();

/** Histogram gradient-boosted trees (LightGBM's parameters, camelCase; `lightgbm` is an alias of the name). */
export const GbdtConfig = z
  .object({
    name: z.literal('gbdt'),
    objective: z.enum(['squared_error', 'l2', 'quantile']).default('squared_error'),
    /** Quantile level for the `quantile` objective. */
    alpha: z.number().gt(0).lt(1).default(0.5),
    numTrees: z.int().min(1).default(300),
    learningRate: z.number().gt(0).default(0.05),
    numLeaves: z.int().min(2).max(4096).default(31),
    /** −1 for no limit. */
    maxDepth: z
      .int()
      .min(-1)
      .refine((v) => v !== 0, { message: 'use -1 (no limit) or a depth >= 1' })
      .default(6),
    minDataInLeaf: z.int().min(1).default(20),
    lambdaL2: z.number().min(0).default(0),
    baggingFraction: z.number().gt(0).max(1).default(1),
    featureFraction: z.number().gt(0).max(1).default(1),
    maxBins: z.int().min(2).max(255).default(255),
    /** Rounds without validation improvement before stopping; 0 disables. */
    earlyStoppingRounds: z.int().min(0).default(30),
    /**
     * Train on every k-th training window only (the validation windows are all kept). Neighbouring windows of a
     * stride-1 series nearly repeat, so a long series trains in a fraction of the time; 1 uses every window.
     */
    windowStride: z.int().min(1).default(1),
    seed: z.int().default(42),
    /** Threads for training (results do not depend on it); defaults to the machine's cores (at most 4). */
    threads: z.int().min(1).optional(),
    /** Target transform (see {@link GBDT_TRANSFORMS}). */
    transform: z.enum(GBDT_TRANSFORMS).default('auto'),
    /** Season of the `seasonal_residual` and `window_norm` transforms. */
    season: season.default('1D'),
    label,
  })
  .strict();

/**
 * Target transforms of the MLP, as the GBDT's: `seasonal_residual` learns y − y[one season back] and adds the lag
 * back in the exported graph; `window_norm` normalises each window by its last season's mean and std; `none` learns
 * y; `auto` (the default) is `seasonal_residual` when the lookback covers the season.
 */
export const MLP_TRANSFORMS = GBDT_TRANSFORMS;

/**
 * A multi-layer perceptron forecaster (twiga's MLPF; `mlpf` is an alias of the name): the window features,
 * standardised, through ReLU hidden layers to every horizon step at once; mini-batch AdamW, early stopping on the
 * validation windows, deterministic under `seed`.
 */
export const MlpConfig = z
  .object({
    name: z.literal('mlp'),
    /** Width of each hidden layer (ReLU). */
    hidden: z.array(z.int().min(1).max(4096)).min(1).max(8).default([64, 64]),
    /** Most passes over the training windows. */
    epochs: z.int().min(1).max(10_000).default(100),
    /** Adam step size. */
    learningRate: z.number().gt(0).max(1).default(1e-3),
    /** Windows per mini-batch. */
    batchSize: z.int().min(1).default(256),
    /**
     * Mini-batches per epoch (between validation checks), drawn from a reshuffled pass over every window; 0 means
     * one full pass. With stride-1 windows neighbours nearly repeat, so checking every 20 batches (5,120 windows)
     * lets a large series (PJME: 91,406 windows) stop after a fraction of a pass.
     */
    batchesPerEpoch: z.int().min(0).default(20),
    /** Epochs without validation improvement before stopping (the best epoch's weights are kept); 0 disables. */
    patience: z.int().min(0).default(10),
    /** Decoupled (AdamW) weight decay on the weight matrices, not the biases. */
    weightDecay: z.number().min(0).default(1e-2),
    /** Training loss: squared (`mse`) or absolute (`mae`) error, in the target scaler's space. */
    loss: z.enum(['mse', 'mae']).default('mse'),
    /** A linear shortcut from the standardised inputs to every output beside the hidden layers (as TiDE's). */
    skip: z.boolean().default(true),
    seed: z.int().default(42),
    /** Target transform (see {@link MLP_TRANSFORMS}). */
    transform: z.enum(MLP_TRANSFORMS).default('auto'),
    /** Season of the `seasonal_residual` and `window_norm` transforms. */
    season: season.default('1D'),
    label,
  })
  .strict();

/** The model families a config can name. */
export const MODEL_NAMES = ['seasonal_naive', 'linear', 'gbdt', 'mlp'] as const;
/** Accepted alternative model names. */
const MODEL_ALIASES: Record<string, (typeof MODEL_NAMES)[number]> = {
  lightgbm: 'gbdt',
  ridge: 'linear',
  mlpf: 'mlp',
};

const ModelUnion = z.discriminatedUnion('name', [SeasonalNaiveConfig, LinearConfig, GbdtConfig, MlpConfig], {
  error: (issue) =>
    issue.code === 'invalid_union'
      ? `unknown model ${JSON.stringify((issue.input as { name?: unknown } | undefined)?.name)}; expected one of ${MODEL_NAMES.map((n) => `"${n}"`).join(', ')} (or ${Object.keys(MODEL_ALIASES).join(', ')})`
      : undefined,
});

/** One model of a config: seasonal naive, linear, GBDT or MLP (`lightgbm`, `ridge`, `mlpf` accepted as aliases). */
export const ModelConfigSchema = z.preprocess((value) => {
  const name = (value as { name?: unknown } | null)?.name;
  return typeof name === 'string' && MODEL_ALIASES[name]
    ? { ...(value as object), name: MODEL_ALIASES[name] }
    : value;
}, ModelUnion);
/** A parsed model config. */
export type ModelConfig = z.output<typeof ModelConfigSchema>;
/** A model config as written (defaults unfilled, aliases allowed). */
export type ModelConfigInput = z.input<typeof ModelUnion>;
export type SeasonalNaiveConfig = z.output<typeof SeasonalNaiveConfig>;
export type LinearConfig = z.output<typeof LinearConfig>;
export type GbdtConfig = z.output<typeof GbdtConfig>;
export type MlpConfig = z.output<typeof MlpConfig>;

/** The label a model is reported and stored under. */
export function modelLabel(config: ModelConfig): string {
  if (config.label) return config.label;
  if (config.name === 'seasonal_naive') {
    return `seasonal_naive_${typeof config.season === 'number' ? config.season : config.season}`;
  }
  return config.name;
}
