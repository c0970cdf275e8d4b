/** Per-model configs (twiga's SEASONALNAIVEConfig, LinearConfig, ...), discriminated by `name`. */
import { z } from 'zod';
import { tryParsePeriod } from '../period.js';

/** A season length as a duration (`1D`, `7D`) or a count of periods. */
const season = z.union([
  z.int().positive(),
  z.string().refine((s) => tryParsePeriod(s) !== undefined, {
    message: 'expected a duration such as "1D" or "7D"',
  }),
]);

/**
 * Target transforms of the GBDT: `seasonal_residual` learns y − y[one season back] (the seasonal naive) and
 * adds the naive back in the exported graph, so the trees follow level shifts they never saw; `none` learns y;
 * `auto` (the default) is `seasonal_residual` when the lookback covers the season, else `none`.
 */
export const GBDT_TRANSFORMS = ['auto', 'none', 'seasonal_residual'] as const;

/** twiga's `SEASONALNAIVEConfig`: repeat the value one season back. */
export const SeasonalNaiveConfig = z
  .object({
    name: z.literal('seasonal_naive'),
    /** Season length as a duration (`1D`, `7D`) or a count of periods. */
    season: season.default('1D'),
    /** Label used in outputs and file names; defaults to `seasonal_naive_<season>`. */
    label: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/)
      .optional(),
  })
  .strict();

/** Ridge regression, direct multi-horizon: `alpha` as in scikit-learn. */
export const LinearConfig = z
  .object({
    name: z.literal('linear'),
    /** Ridge penalty on standardised features (intercept unpenalised). */
    alpha: z.number().min(0).default(1),
    label: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/)
      .optional(),
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
    seed: z.int().default(42),
    /** Threads for training (results do not depend on it); defaults to the machine's cores (at most 4). */
    threads: z.int().min(1).optional(),
    /** Target transform (see {@link GBDT_TRANSFORMS}). */
    transform: z.enum(GBDT_TRANSFORMS).default('auto'),
    /** Season of the `seasonal_residual` transform. */
    season: season.default('1D'),
    label: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/)
      .optional(),
  })
  .strict();

/** The model families a config can name. */
export const MODEL_NAMES = ['seasonal_naive', 'linear', 'gbdt'] as const;
/** Accepted alternative model names. */
const MODEL_ALIASES: Record<string, (typeof MODEL_NAMES)[number]> = { lightgbm: 'gbdt', ridge: 'linear' };

const ModelUnion = z.discriminatedUnion('name', [SeasonalNaiveConfig, LinearConfig, GbdtConfig], {
  error: (issue) =>
    issue.code === 'invalid_union'
      ? `unknown model ${JSON.stringify((issue.input as { name?: unknown } | undefined)?.name)}; expected one of ${MODEL_NAMES.map((n) => `"${n}"`).join(', ')} (or ${Object.keys(MODEL_ALIASES).join(', ')})`
      : undefined,
});

/** One model of a config: seasonal naive, linear or GBDT (`lightgbm` accepted as an alias). */
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

/** The label a model is reported and stored under. */
export function modelLabel(config: ModelConfig): string {
  if (config.label) return config.label;
  if (config.name === 'seasonal_naive') {
    return `seasonal_naive_${typeof config.season === 'number' ? config.season : config.season}`;
  }
  return config.name;
}
