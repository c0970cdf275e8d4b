/** Per-model configs (twiga's SEASONALNAIVEConfig, LinearConfig, ...), discriminated by `name`. */
import { z } from 'zod';
import { tryParsePeriod } from '../period.js';

export const SeasonalNaiveConfig = z
  .object({
    name: z.literal('seasonal_naive'),
    /** Season length as a duration (`1D`, `7D`) or a count of periods. */
    season: z
      .union([
        z.int().positive(),
        z.string().refine((s) => tryParsePeriod(s) !== undefined, {
          message: 'expected a duration such as "1D" or "7D"',
        }),
      ])
      .default('1D'),
    /** Label used in outputs and file names; defaults to `seasonal_naive_<season>`. */
    label: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/)
      .optional(),
  })
  .strict();

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

export const MODEL_NAMES = ['seasonal_naive', 'linear'] as const;

export const ModelConfigSchema = z.discriminatedUnion('name', [SeasonalNaiveConfig, LinearConfig], {
  error: (issue) =>
    issue.code === 'invalid_union'
      ? `unknown model ${JSON.stringify((issue.input as { name?: unknown } | undefined)?.name)}; expected one of ${MODEL_NAMES.map((n) => `"${n}"`).join(', ')}`
      : undefined,
});
export type ModelConfig = z.output<typeof ModelConfigSchema>;
export type SeasonalNaiveConfig = z.output<typeof SeasonalNaiveConfig>;
export type LinearConfig = z.output<typeof LinearConfig>;

/** The label a model is reported and stored under. */
export function modelLabel(config: ModelConfig): string {
  if (config.label) return config.label;
  if (config.name === 'seasonal_naive') {
    return `seasonal_naive_${typeof config.season === 'number' ? config.season : config.season}`;
  }
  return config.name;
}
