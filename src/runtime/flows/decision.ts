/**
 * twiga's retraining decision, platform-free so the Node flow and the Workers cron apply the same rules:
 * drift share above the threshold → retrain; else retrain only when the incumbent's metric breaches the
 * performance threshold; a candidate is promoted only when it beats the incumbent on that metric.
 */
import { z } from 'zod';
import type { DriftSummary } from '../drift/summary.js';
import { ENSEMBLE_LABEL } from '../forecaster.js';
import { parseWith } from '../schemas/parse.js';
import type { MetricsByModel } from '../training-result.js';

/** When to retrain and how to compare: drift threshold, performance threshold, metric key, direction. */
export const RetrainPolicySchema = z
  .object({
    /** Retrain when the share of drifted columns (`dataset_drift_score`) is above this. */
    driftThreshold: z.number().min(0).max(1).default(0.5),
    /** Retrain when the incumbent's metric is worse than this; absent = decide on drift alone. */
    performanceThreshold: z.number().optional(),
    /** `mae` (the ensemble's), or `<model>/<metric>` such as `linear/rmse`. */
    metricKey: z.string().min(1).default('mae'),
    /** Lower is better (false for e.g. `corr`). */
    minimize: z.boolean().default(true),
  })
  .strict();
/** A retraining policy as given (defaults unfilled). */
export type RetrainPolicyInput = z.input<typeof RetrainPolicySchema>;
/** A retraining policy with its defaults. */
export type RetrainPolicy = z.output<typeof RetrainPolicySchema>;

/** Why a retraining run did (or did not) retrain. */
export type RetrainReason =
  | 'drift'
  | 'performance'
  | 'no_incumbent'
  | 'corrupt_incumbent'
  | 'within_thresholds';

/** Whether to retrain, why (`reason`) and the detail a log line shows. */
export interface RetrainDecision {
  retrain: boolean;
  reason: RetrainReason;
  /** One sentence for logs and reports. */
  detail: string;
  /** The incumbent's value of the policy's metric, when it was evaluated. */
  incumbentMetric?: number | null;
}

/** Parse a policy (every bad field named). */
export function retrainPolicy(input: RetrainPolicyInput = {}): RetrainPolicy {
  return parseWith(RetrainPolicySchema, input, 'retraining policy');
}

/**
 * The value of `metricKey` in metrics keyed by model then metric: `mae` reads the ensemble's, `linear/mae`
 * the linear model's. `null` when that model or metric is absent or undefined (NaN became null).
 * @example
 * metricValue({ ensemble: { mae: 1.2 }, linear: { mae: 1.4 } }, 'linear/mae'); // 1.4
 */
export function metricValue(metrics: MetricsByModel, metricKey: string): number | null {
  const slash = metricKey.lastIndexOf('/');
  const model = slash < 0 ? ENSEMBLE_LABEL : metricKey.slice(0, slash);
  const metric = slash < 0 ? metricKey : metricKey.slice(slash + 1);
  const value = metrics[model]?.[metric];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** First step: drift alone. `retrain` is true when the drifted share is above the threshold. */
export function driftDecision(summary: DriftSummary, policy: RetrainPolicy): RetrainDecision {
  const share = summary.dataset_drift_score;
  const shareText = `${summary.n_drifted}/${summary.total} columns drifted (share ${share.toFixed(3)})`;
  return share > policy.driftThreshold
    ? { retrain: true, reason: 'drift', detail: `${shareText} > drift threshold ${policy.driftThreshold}` }
    : {
        retrain: false,
        reason: 'within_thresholds',
        detail: `${shareText} ≤ drift threshold ${policy.driftThreshold}`,
      };
}

/**
 * Second step, when drift did not decide: the incumbent's metric against the performance threshold.
 * Without a threshold nothing is breached. An undefined metric (null) cannot show a breach either, and
 * says so.
 */
export function performanceDecision(incumbentMetric: number | null, policy: RetrainPolicy): RetrainDecision {
  const { performanceThreshold: limit, metricKey, minimize } = policy;
  if (limit === undefined) {
    return {
      retrain: false,
      reason: 'within_thresholds',
      detail: 'no performance threshold set',
      incumbentMetric,
    };
  }
  if (incumbentMetric === null) {
    return {
      retrain: false,
      reason: 'within_thresholds',
      detail: `the incumbent's ${metricKey} is undefined on the current data; no performance breach can be shown`,
      incumbentMetric,
    };
  }
  const breached = minimize ? incumbentMetric > limit : incumbentMetric < limit;
  const relation = minimize ? (breached ? '>' : '≤') : breached ? '<' : '≥';
  return {
    retrain: breached,
    reason: breached ? 'performance' : 'within_thresholds',
    detail: `incumbent ${metricKey} ${incumbentMetric.toPrecision(6)} ${relation} performance threshold ${limit}`,
    incumbentMetric,
  };
}

/**
 * Whether a candidate beats the incumbent on the policy's metric: strictly better, `minimize` respected.
 * A missing incumbent (first run, or corrupt) is beaten by any candidate with a defined metric; a
 * candidate whose metric is undefined never wins.
 * @example
 * beatsIncumbent(1.1, 1.3, { minimize: true }); // true
 */
export function beatsIncumbent(
  candidate: number | null,
  incumbent: number | null | undefined,
  policy: Pick<RetrainPolicy, 'minimize'>,
): boolean {
  if (candidate === null) return false;
  if (incumbent === null || incumbent === undefined) return true;
  return policy.minimize ? candidate < incumbent : candidate > incumbent;
}
