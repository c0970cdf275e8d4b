/** RetrainingResult: what a retraining run returns and prints (twiga's fields, then what explains them). */
import { z } from 'zod';
import { DriftSummarySchema } from '../drift/summary.js';
import { MetricsByModelSchema } from '../training-result.js';

/** Why a retraining flow retrained (or did not). */
export const RETRAIN_REASONS = [
  'drift',
  'performance',
  'no_incumbent',
  'corrupt_incumbent',
  'within_thresholds',
] as const;

/** twiga's `RetrainingResult`, plus what explains it (reason, metrics, holdout, reload). */
export const RetrainingResultSchema = z.object({
  retrained: z.boolean(),
  promoted: z.boolean(),
  drift_summary: DriftSummarySchema,
  /** The promoted version's folder; null when nothing was promoted. */
  checkpoint_path: z.string().nullable(),
  /** The tracking run of the promoted model; null when nothing was promoted. */
  mlflow_run_id: z.string().nullable(),
  /** The candidate's metrics on the holdout, by model then metric; null when nothing was retrained. */
  metrics: MetricsByModelSchema.nullable(),
  /** Why it retrained, or `within_thresholds` when it did not. */
  reason: z.enum(RETRAIN_REASONS),
  detail: z.string(),
  metric_key: z.string(),
  minimize: z.boolean(),
  /** The policy metric of candidate and incumbent on the holdout (null when not computed). */
  candidate_metric: z.number().nullable(),
  incumbent_metric: z.number().nullable(),
  /** The incumbent as loaded; null when there was none or it was corrupt. */
  incumbent: z
    .object({
      version: z.int(),
      path: z.string(),
      /** On the whole current window (the performance check); null when drift decided first. */
      current_metrics: MetricsByModelSchema.nullable(),
      /** On the holdout, beside the candidate; null when nothing was retrained. */
      holdout_metrics: MetricsByModelSchema.nullable(),
    })
    .nullable(),
  /** The promoted version number; null when nothing was promoted. */
  version: z.int().nullable(),
  /** The serving API's answer to POST /reload; null when not called. */
  reload: z
    .object({
      url: z.string(),
      status: z.int(),
      previous_version: z.int().nullable(),
      version: z.int(),
    })
    .nullable(),
  /** Rows of the current window held out to compare candidate and incumbent. */
  holdout: z.object({ start: z.string(), rows: z.int() }),
  /** The markdown comparison table, when a report folder was given. */
  report_path: z.string().nullable(),
});
/** What `retrainingFlow` returns. */
export type RetrainingResult = z.output<typeof RetrainingResultSchema>;
