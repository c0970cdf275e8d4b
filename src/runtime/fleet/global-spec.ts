/**
 * The `global` section of a global model's pipeline.json: the id column, the series it was trained on, and
 * per series its scaler statistics (fitted on that series' training rows), static features and conformal table.
 */
import { z } from 'zod';
import { ConformalSchema } from '../conformal.js';
import { ScalerParamsSchema } from '../features/scalers.js';

/** Name of the static block holding a series' integer code (the GBDT's categorical series feature). */
export const SERIES_CODE_FEATURE = '__series_code';

/**
 * How the series id becomes the GBDT's `__series_code`: the GBDT trainer has threshold splits only (no
 * categorical splits), so the code is the series' rank by the mean of its training target (ties by id).
 * Thresholds on that rank group series of similar level, the ordering LightGBM's categorical splits
 * sort by (gradient statistics per category), without one column per series as one-hot would need for
 * fleets of thousands. `index` is the older code (position in the list), kept readable.
 */
export const SERIES_CODE_ENCODINGS = ['target_mean_rank', 'index'] as const;
export type SeriesCodeEncoding = (typeof SERIES_CODE_ENCODINGS)[number];

/** One series of a global model in pipeline.json: its id, code, scalers, static values and conformal table. */
export const GlobalSeriesSchema = z.object({
  id: z.string().min(1),
  /** Integer code of the series (see `series_code`), the value of the `__series_code` feature. */
  code: z.int().nonnegative(),
  scalers: z.object({
    target: z.record(z.string(), ScalerParamsSchema),
    inputs: z.record(z.string(), ScalerParamsSchema),
  }),
  /** Static feature values by name (from the static table keyed by id). */
  static: z.record(z.string(), z.number()).default({}),
  /** Split-conformal residual quantiles of this series' validation windows. */
  conformal: ConformalSchema.nullable().optional(),
});
/** One series of a global model. */
export type GlobalSeries = z.output<typeof GlobalSeriesSchema>;

/** pipeline.json's `global` section: the id column, the static feature names and every series. */
export const GlobalSpecSchema = z.object({
  id_column: z.string().min(1),
  /** Static feature names, in layout order. */
  static_features: z.array(z.string()).default([]),
  /** How `code` was assigned; checkpoints saved before this field used `index`. */
  series_code: z.enum(SERIES_CODE_ENCODINGS).default('index'),
  series: z.array(GlobalSeriesSchema).min(1),
});
/** A global model's series, as pipeline.json records them. */
export type GlobalSpec = z.output<typeof GlobalSpecSchema>;
