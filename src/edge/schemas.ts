/** Request and response schemas of the HTTP API: they validate requests and generate the OpenAPI document. */
import { z } from '@hono/zod-openapi';
import { PerformanceSummarySchema } from '../runtime/drift/performance.js';
import { DriftSummarySchema } from '../runtime/drift/summary.js';
import { ENSEMBLE_STRATEGIES } from '../runtime/schemas/forecaster-config.js';

/** Rows per request; bodies are also capped in bytes (`TWIGA_SERVE_MAX_BODY_BYTES`). */
export const MAX_RECORDS = 200_000;

const Value = z.union([z.number(), z.string(), z.null()], {
  error: ({ input }) =>
    typeof input === 'number'
      ? `expected a finite number, got ${input}`
      : `expected a number, a string or null, got ${input === undefined ? 'nothing' : Array.isArray(input) ? 'an array' : typeof input}`,
});

export const RecordsSchema = z
  .array(z.record(z.string(), Value))
  .min(1)
  .max(MAX_RECORDS)
  .openapi({
    description:
      'One object per row: the time column (ISO 8601 or epoch ms), targets and covariates. Rows one period ' +
      'apart, increasing; a target may be null only after its last known value (rows for known-ahead covariates).',
    example: [
      { timestamp: '2024-01-07T22:00:00', load: 412.5 },
      { timestamp: '2024-01-07T23:00:00', load: 398.1 },
    ],
  });

const Ensemble = z
  .enum(ENSEMBLE_STRATEGIES)
  .openapi({ description: "Combine models by mean or median (default: the checkpoint's)." });
export const Levels = z
  .array(z.number().gt(0).lt(1))
  .min(1)
  .max(21)
  .openapi({ description: 'Central interval levels, e.g. [0.8, 0.9].', example: [0.9] });

export const PredictRequestSchema = z
  .strictObject({ records: RecordsSchema, ensemble_strategy: Ensemble.optional() })
  .openapi('PredictRequest');

export const PredictIntervalRequestSchema = z
  .strictObject({
    records: RecordsSchema,
    ensemble_strategy: Ensemble.optional(),
    levels: Levels.default([0.9]),
  })
  .openapi('PredictIntervalRequest');

/** Options of an Arrow IPC body travel in the query string. */
export const PredictQuerySchema = z.strictObject({
  ensemble_strategy: Ensemble.optional(),
  levels: z
    .string()
    .regex(/^\d*\.?\d+(,\d*\.?\d+)*$/, 'expected comma-separated numbers, e.g. 0.8,0.9')
    .optional()
    .openapi({ description: 'With an Arrow body on /predict-interval: levels as `0.8,0.9` (default 0.9).' }),
});

export const DriftRequestSchema = z
  .strictObject({
    records: RecordsSchema,
    columns: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .openapi({ description: "Columns to test (default: every column of the checkpoint's reference)." }),
  })
  .openapi('DriftRequest');

export const PerformanceRequestSchema = z
  .strictObject({
    records: RecordsSchema,
    target: z
      .string()
      .min(1)
      .optional()
      .openapi({ description: "Column of actuals (default: the model's first target)." }),
    prediction: z.string().min(1).default('prediction').openapi({ description: 'Column of forecasts.' }),
    timestamp: z
      .string()
      .min(1)
      .optional()
      .openapi({ description: 'Time column for the report (default: the model’s, when present).' }),
    model: z
      .string()
      .min(1)
      .optional()
      .openapi({ description: 'Reference model to compare with (default: ensemble or the only model).' }),
    step: z
      .string()
      .min(1)
      .optional()
      .openapi({
        description:
          "Column holding the forecast step (1 … horizon) each row's prediction was for, e.g. 3 for the third " +
          'hour of a day-ahead forecast. Checked whenever given; with `intervals.adaptive` in the checkpoint, ' +
          "the rows update the adaptive (ACI) level of that step's interval for `model` (default `ensemble`).",
      }),
  })
  .openapi('PerformanceRequest');

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'DATA_INVALID' }),
      message: z.string().openapi({ example: 'records[3].load: expected a finite number, got "NaN"' }),
      issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .openapi('Error');

const Series = z.record(z.string(), z.array(z.number()));

export const ForecastSchema = z
  .object({
    version: z.int(),
    issued_after: z.string().openapi({ description: 'Last timestamp of the history used.' }),
    horizon: z.int(),
    targets: z.array(z.string()),
    timestamps: z.array(z.string()),
    ensemble_strategy: z.enum(ENSEMBLE_STRATEGIES),
    forecasts: z
      .record(z.string(), Series)
      .openapi({ description: 'model (and `ensemble`) → target → value per step' }),
    intervals: z
      .record(
        z.string(),
        z.record(
          z.string(),
          z.record(z.string(), z.object({ lower: z.array(z.number()), upper: z.array(z.number()) })),
        ),
      )
      .optional()
      .openapi({ description: 'model → target → level → bounds per step' }),
    adaptive: z
      .object({
        target: z.number(),
        gamma: z.number(),
        updates: z.record(z.string(), z.int()),
        models: z.record(
          z.string(),
          z.record(
            z.string(),
            z.object({
              level: z.array(z.number()),
              capped: z.array(z.boolean()),
              lower: z.array(z.number()),
              upper: z.array(z.number()),
            }),
          ),
        ),
      })
      .optional()
      .openapi({
        description:
          'With `intervals.adaptive` in the checkpoint: adaptive conformal (ACI) bounds per model → target, at the ' +
          'level per step that the actuals posted to /monitor/performance moved it to (`capped` where the ' +
          'calibration residuals cannot go higher).',
      }),
  })
  .openapi('Forecast');

export const PanelForecastSchema = z
  .object({
    version: z.int(),
    id_column: z.string().openapi({ description: "The global model's id column, as in the records." }),
    series: z
      .record(z.string(), ForecastSchema)
      .openapi({ description: 'series id → its forecast (in order of first appearance in the request)' }),
  })
  .openapi('PanelForecast');

export const ModelInfoSchema = z.object({
  version: z.int(),
  models: z.array(z.string()),
  ensemble_strategy: z.enum(ENSEMBLE_STRATEGIES),
  horizon: z.int(),
  lookback: z.int(),
  period: z.string(),
  targets: z.array(z.string()),
  time_column: z.string(),
  columns: z.array(z.string()),
  exogenous: z.array(z.string()),
  max_interval_level: z.number().nullable(),
  engines: z.record(z.string(), z.enum(['ort', 'lean'])),
});

export const HealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    loaded: z.boolean(),
    checkpoint: z.string(),
    version: z.int().nullable(),
    models: z.array(z.string()),
    horizon: z.int().nullable(),
    targets: z.array(z.string()),
    loaded_at: z.string().nullable(),
    poll_seconds: z.number(),
    last_error: z.string().nullable(),
    fallback: z.string().nullable(),
    /** The inference engine running each model (`lean` or `ort`), by label. */
    engines: z.record(z.string(), z.enum(['ort', 'lean'])),
    package_version: z.string().openapi({ description: 'The twiga-edge package version serving' }),
  })
  .openapi('Health');

export const ReloadSchema = z
  .object({
    status: z.literal('reloaded'),
    previous_version: z.int().nullable(),
    model: ModelInfoSchema,
  })
  .openapi('Reload');

// Rebuilt from their shapes: zod instances made before @hono/zod-openapi loaded lack `.openapi`.
export const DriftSchema = z.object(DriftSummarySchema.shape).openapi('DriftSummary');
export const PerformanceSchema = z
  .object({
    ...PerformanceSummarySchema.shape,
    adaptive: z
      .object({
        model: z.string(),
        observations: z.int(),
        level: z.array(z.number()),
      })
      .optional()
      .openapi({
        description:
          'With `step` and `intervals.adaptive`: the model whose ACI state the rows updated, how many rows it took ' +
          'and the level it now serves per output (step × target).',
      }),
  })
  .openapi('PerformanceSummary');

/** An error response in the OpenAPI document. */
export const errorDoc = (description: string) => ({
  description,
  content: { 'application/json': { schema: ErrorSchema } },
});
