/** Scores of a fleet: metrics per series, their mean, volume-weighted MAE / pooled WMAPE, and wins per model. */
import type { EvaluationResult } from '../forecaster.js';
import type { MetricName, Metrics } from '../metrics.js';

/** One series' test metrics per model and its volume (Σ|y| over the scored points). */
export interface SeriesScore {
  id: string;
  metrics: Record<string, Metrics>;
  volume: number;
}

/** What a fleet's evaluation reports over all series. */
export interface FleetAggregate {
  series: number;
  /** Per model: the plain mean of each metric over series (null when no series has a finite value). */
  mean: Record<string, Record<MetricName, number | null>>;
  /**
   * Per model: `mae` = Σ MAE_i·V_i / Σ V_i with V_i = Σ|y| of series i (big series count more), and
   * `wmape` = 100·Σ|y − ŷ| / Σ|y| pooled over every point of every series.
   */
  weighted: Record<string, { mae: number | null; wmape: number | null }>;
  /** Per model: how many series it has the lowest MAE on (ties go to the first model listed). */
  wins: Record<string, number>;
}

const METRICS: readonly MetricName[] = ['mae', 'rmse', 'corr', 'nbias', 'wmape', 'smape'];
const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** A series' score from its evaluation. */
export function seriesScore(id: string, evaluation: EvaluationResult): SeriesScore {
  let volume = 0;
  for (const y of evaluation.actual) if (Number.isFinite(y)) volume += Math.abs(y);
  return { id, metrics: evaluation.metrics, volume };
}

/** Aggregate per-series scores (every series scored on the same model labels). */
export function aggregateFleet(scores: readonly SeriesScore[]): FleetAggregate {
  const labels = scores.length > 0 ? Object.keys(scores[0]!.metrics) : [];
  const mean: FleetAggregate['mean'] = {};
  const weighted: FleetAggregate['weighted'] = {};
  const wins: FleetAggregate['wins'] = Object.fromEntries(labels.map((l) => [l, 0]));
  for (const label of labels) {
    const row = {} as Record<MetricName, number | null>;
    for (const metric of METRICS) {
      const values = scores.map((s) => s.metrics[label]?.[metric] ?? Number.NaN).filter(Number.isFinite);
      row[metric] = values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : null;
    }
    mean[label] = row;
    let weightedAbs = 0;
    let absError = 0;
    let volume = 0;
    for (const s of scores) {
      const m = s.metrics[label];
      if (!m || !Number.isFinite(m.mae)) continue;
      weightedAbs += m.mae * s.volume;
      absError += m.mae * m.n;
      volume += s.volume;
    }
    weighted[label] = { mae: finite(weightedAbs / volume), wmape: finite((100 * absError) / volume) };
  }
  for (const s of scores) {
    let best: string | undefined;
    for (const label of labels) {
      const mae = s.metrics[label]?.mae ?? Number.NaN;
      if (Number.isFinite(mae) && (best === undefined || mae < s.metrics[best]!.mae)) best = label;
    }
    if (best !== undefined) wins[best] = (wins[best] ?? 0) + 1;
  }
  return { series: scores.length, mean, weighted, wins };
}
