/** TrainingResult: what a training run returns and prints (twiga's fields plus what reproduces it). */
import { z } from 'zod';
import type { Metrics } from './metrics.js';

/** Metrics by model label, then metric name (`null` where undefined, e.g. corr of a constant). */
export const MetricsByModelSchema = z.record(z.string(), z.record(z.string(), z.number().nullable()));
/** Metrics by model label, then metric name. */
export type MetricsByModel = z.output<typeof MetricsByModelSchema>;

/** twiga's `TrainingResult`, plus the split, models and data report. */
export const TrainingResultSchema = z.object({
  checkpoint_path: z.string(),
  /** Recorded in the checkpoint (pipeline.json `trained.run_id`, manifest `extra.run_id`). */
  run_id: z.string(),
  /** The tracking run (same as `run_id` when a flow tracked it); null when nothing was tracked. */
  mlflow_run_id: z.string().nullable(),
  version: z.int(),
  /** Test-split metrics keyed by model label (and `ensemble`), then metric. */
  metrics: MetricsByModelSchema,
  validation_metrics: MetricsByModelSchema,
  split: z.object({
    rule: z.string(),
    train_rows: z.int(),
    test_rows: z.int(),
    train_windows: z.int(),
    validation_windows: z.int(),
    test_windows: z.int(),
    test_start: z.string(),
  }),
  models: z.array(z.object({ label: z.string(), kind: z.string(), seconds: z.number(), windows: z.int() })),
  /** Per tuned model: the metric, the best trial, and every trial (parameters, score, seconds). */
  tuning: z
    .record(
      z.string(),
      z.object({
        metric: z.string(),
        best: z.object({ number: z.int(), params: z.record(z.string(), z.number()), score: z.number() }),
        trials: z.array(
          z.object({
            number: z.int(),
            params: z.record(z.string(), z.number()),
            score: z.number(),
            seconds: z.number(),
            source: z.enum(['enqueued', 'random', 'tpe']),
          }),
        ),
      }),
    )
    .optional(),
  data: z.record(z.string(), z.unknown()),
  /** The markdown metrics table, when a report folder was given. */
  report_path: z.string().optional(),
});
/** What `train` and `trainingFlow` return. */
export type TrainingResult = z.output<typeof TrainingResultSchema>;

/**
 * Metrics as JSON-safe numbers keyed by model then metric: NaN (e.g. corr of a constant forecast)
 * becomes null, and the point count `n` is left out.
 */
export function metricsToJson(metrics: Record<string, Record<string, number> | Metrics>): MetricsByModel {
  const out: MetricsByModel = {};
  for (const [model, m] of Object.entries(metrics)) {
    out[model] = {};
    for (const [k, v] of Object.entries(m)) if (k !== 'n') out[model][k] = Number.isFinite(v) ? v : null;
  }
  return out;
}
