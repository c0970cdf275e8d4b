/** Forecast performance against the checkpoint's reference metrics: which metrics degraded beyond a tolerance. */
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { computeMetrics, type MetricName, type Series } from '../metrics.js';

/** The metrics reported, in order. */
export const PERFORMANCE_METRICS: readonly MetricName[] = ['mae', 'rmse', 'corr', 'nbias', 'wmape', 'smape'];

/**
 * Metrics checked for degradation and which way is worse. `nbias` is reported but not checked:
 * a reference bias near zero makes any relative tolerance meaningless.
 */
export const DEGRADATION_DIRECTION: Readonly<Partial<Record<MetricName, 'higher' | 'lower'>>> = {
  mae: 'higher',
  rmse: 'higher',
  wmape: 'higher',
  smape: 'higher',
  corr: 'lower',
};

const metric = z.number().nullable();
const metricShape = Object.fromEntries(PERFORMANCE_METRICS.map((m) => [m, metric])) as Record<
  MetricName,
  typeof metric
>;

/** What `/monitor/performance` and `ForecastMonitor.runPerformance` return. */
export const PerformanceSummarySchema = z.object({
  ...metricShape,
  /** Pairs where actual and prediction are both finite. */
  n: z.int(),
  /** The reference model and its metrics (null where the reference lacks one); null without a reference. */
  reference: z.object({ model: z.string(), ...metricShape }).nullable(),
  /** Relative worsening tolerated before a metric counts as degraded (0.1 = 10 %). */
  degradation_tolerance: z.number(),
  degraded: z.boolean(),
  degraded_metrics: z.array(z.string()),
  /** Where the HTML report was written; null without a report sink. */
  report_path: z.string().nullable(),
  /** ISO 8601. */
  timestamp: z.string(),
});
/** What `ForecastMonitor.runPerformance` returns (NaN metrics, e.g. corr of a constant forecast, are null). */
export type PerformanceSummary = z.output<typeof PerformanceSummarySchema>;

/** Reference metrics by model then metric, as `validation_metrics` in a checkpoint's `reference.json`. */
export type ReferencePerformance = Record<string, Record<string, number | null>>;

const finiteOrNull = (x: number | null | undefined): number | null =>
  x !== null && x !== undefined && Number.isFinite(x) ? x : null;

/**
 * Which reference model to compare with: `model` when given, else the one named like the
 * prediction column, else `ensemble`, else the only model. Ambiguity is a `ConfigError`.
 */
export function referenceModel(
  reference: ReferencePerformance,
  prediction: string,
  model?: string,
): string | null {
  const models = Object.keys(reference);
  const chosen =
    model ??
    (prediction in reference
      ? prediction
      : 'ensemble' in reference
        ? 'ensemble'
        : models.length === 1
          ? models[0]
          : undefined);
  if (models.length === 0) return null;
  if (chosen === undefined || !(chosen in reference)) {
    const message = `reference performance has models ${models.map((m) => `"${m}"`).join(', ')}; ${
      chosen === undefined ? 'pass model to choose one' : `no model "${chosen}"`
    }`;
    throw new ConfigError(message, [{ path: 'model', message }]);
  }
  return chosen;
}

/** Whether `current` is worse than `reference` by more than `tolerance` (relative), given the direction. */
export function isDegraded(
  name: MetricName,
  current: number | null,
  reference: number | null,
  tolerance: number,
): boolean {
  const direction = DEGRADATION_DIRECTION[name];
  if (direction === undefined || current === null || reference === null) return false;
  const margin = tolerance * Math.abs(reference);
  return direction === 'higher' ? current > reference + margin : current < reference - margin;
}

/**
 * Metrics of `predicted` against `actual` (twiga's `computeMetrics`), compared with the chosen
 * reference model's metrics. `report_path` is null here; the monitor fills it.
 */
export function evaluatePerformance(
  actual: Series,
  predicted: Series,
  options: {
    reference?: ReferencePerformance | undefined;
    prediction: string;
    model?: string | undefined;
    tolerance: number;
    now: Date;
  },
): PerformanceSummary {
  const m = computeMetrics(actual, predicted);
  const current = Object.fromEntries(PERFORMANCE_METRICS.map((k) => [k, finiteOrNull(m[k])])) as Record<
    MetricName,
    number | null
  >;
  const model = options.reference
    ? referenceModel(options.reference, options.prediction, options.model)
    : null;
  const refMetrics = model === null ? null : options.reference![model]!;
  const reference =
    refMetrics === null
      ? null
      : {
          model: model!,
          ...(Object.fromEntries(PERFORMANCE_METRICS.map((k) => [k, finiteOrNull(refMetrics[k])])) as Record<
            MetricName,
            number | null
          >),
        };
  const degraded = reference
    ? PERFORMANCE_METRICS.filter((k) => isDegraded(k, current[k], reference[k], options.tolerance))
    : [];
  return {
    ...current,
    n: m.n,
    reference,
    degradation_tolerance: options.tolerance,
    degraded: degraded.length > 0,
    degraded_metrics: degraded,
    report_path: null,
    timestamp: options.now.toISOString(),
  };
}
