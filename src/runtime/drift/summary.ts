/** DriftSummary: twiga's drift result fields plus Evidently's per-column and dataset verdicts. */
import { z } from 'zod';

/** Statistical tests a drift check can use (Evidently's names). */
export const DRIFT_METHODS = ['ks', 'wasserstein', 'chisquare', 'z', 'jensenshannon', 'psi', 'kl'] as const;
/** One of `DRIFT_METHODS`. */
export const DriftMethodSchema = z.enum(DRIFT_METHODS);
/** A per-column drift test: p-value tests (`ks`, `chisquare`, `z`) or distances (the rest). */
export type DriftMethod = z.output<typeof DriftMethodSchema>;

/** One column's drift test: method, threshold, score, statistic and verdict. */
export const ColumnDriftSchema = z.object({
  method: DriftMethodSchema,
  threshold: z.number(),
  /** The p-value for `ks`/`chisquare`/`z`, else the distance (Wasserstein normed by the reference std). */
  score: z.number(),
  /** The test statistic behind a p-value (KS D, χ², z); null for distances, whose statistic is the score. */
  statistic: z.number().nullable(),
  drifted: z.boolean(),
  kind: z.enum(['numerical', 'categorical']),
  /** Finite values tested (NaN and ±inf are dropped first). */
  n_reference: z.int(),
  n_current: z.int(),
});
/** One column's drift test result. */
export type ColumnDrift = z.output<typeof ColumnDriftSchema>;

/** twiga's `DriftSummary`: the dataset verdict plus one result per column. */
export const DriftSummarySchema = z.object({
  /** At least one column drifted (twiga). */
  drift_detected: z.boolean(),
  /** Share of tested columns that drifted (twiga). */
  dataset_drift_score: z.number(),
  n_drifted: z.int(),
  total: z.int(),
  /** Column → score (twiga). */
  feature_drift: z.record(z.string(), z.number()),
  /** Where the HTML report was written; null until a monitor writes one. */
  report_path: z.string().nullable(),
  /** ISO 8601. */
  timestamp: z.string(),
  columns: z.record(z.string(), ColumnDriftSchema),
  /** Evidently's dataset verdict: share of drifted columns ≥ `drift_share`. */
  dataset_drift: z.boolean(),
  drift_share: z.number(),
});
/** twiga's `DriftSummary`. */
export type DriftSummary = z.output<typeof DriftSummarySchema>;
