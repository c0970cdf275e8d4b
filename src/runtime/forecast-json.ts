/** A forecast window as JSON: the shape `twiga-edge predict`, the edge's `/predict` and the browser worker return. */
import type { ForecastBatch, Forecaster, Intervals } from './forecaster.js';
import type { Frame } from './frame.js';
import type { EnsembleStrategy } from './schemas/forecaster-config.js';
import type { AdaptiveJson } from './serving/adaptive-intervals.js';
import { formatTimestamp } from './time-format.js';

/** JSON forecast: timestamps, then per model (and `ensemble`) per target the values per step. */
export interface ForecastJson {
  version: number;
  /** Last timestamp of the history the forecast was made from. */
  issued_after: string;
  horizon: number;
  targets: string[];
  timestamps: string[];
  ensemble_strategy: EnsembleStrategy;
  forecasts: Record<string, Record<string, number[]>>;
  /** Per model, per target, per level: lower and upper bounds per step (with `levels`). */
  intervals?: Record<string, Record<string, Record<string, { lower: number[]; upper: number[] }>>>;
  /** Adaptive conformal bounds (served by `/predict-interval` when the checkpoint sets `intervals.adaptive`). */
  adaptive?: AdaptiveJson;
}

/** Shape one window of a ForecastBatch as ForecastJson. */
export function forecastToJson(
  batch: ForecastBatch,
  window: number,
  version: number,
  ensemble: EnsembleStrategy,
  intervals?: Intervals,
): ForecastJson {
  const { horizon, targets, periodMs } = batch;
  const T = targets.length;
  const start = batch.originTimes[window]!;
  const steps = (values: Float64Array, t: number) =>
    Array.from({ length: horizon }, (_, h) => values[(window * horizon + h) * T + t]!);
  const forecasts: ForecastJson['forecasts'] = {};
  for (const [label, values] of Object.entries(batch.predictions)) {
    forecasts[label] = Object.fromEntries(targets.map((target, t) => [target, steps(values, t)]));
  }
  const out: ForecastJson = {
    version,
    issued_after: formatTimestamp(start - periodMs),
    horizon,
    targets,
    timestamps: Array.from({ length: horizon }, (_, h) => formatTimestamp(start + h * periodMs)),
    ensemble_strategy: ensemble,
    forecasts,
  };
  if (intervals) {
    out.intervals = {};
    for (const [label, byLevel] of Object.entries(intervals)) {
      out.intervals[label] = Object.fromEntries(
        targets.map((target, t) => [
          target,
          Object.fromEntries(
            Object.entries(byLevel).map(([level, b]) => [
              level,
              { lower: steps(b.lower, t), upper: steps(b.upper, t) },
            ]),
          ),
        ]),
      );
    }
  }
  return out;
}

/** Ensemble strategy and interval levels for one forecast. */
export interface ForecastOptions {
  /** Combine the models by `mean` or `median`; default the checkpoint's. */
  ensemble?: EnsembleStrategy;
  /** Conformal interval levels, e.g. `[0.8, 0.9]`; omit for point forecasts only. */
  levels?: readonly number[];
}

/**
 * Forecasts the window after the last known target value of `frame` and shapes it as JSON: the one
 * call behind `twiga-edge predict`, the edge's `/predict` and `/predict-interval`, and the browser worker.
 * @param version the checkpoint version, echoed in the result.
 */
export async function forecastLatest(
  forecaster: Forecaster,
  frame: Frame,
  version: number,
  options: ForecastOptions = {},
): Promise<ForecastJson> {
  const ensemble = options.ensemble ?? forecaster.manifest.ensemble;
  if (options.levels) {
    const { batch, intervals } = await forecaster.predictInterval(frame, options.levels, ensemble);
    return forecastToJson(batch, 0, version, ensemble, intervals);
  }
  return forecastToJson(await forecaster.predictLatest(frame, ensemble), 0, version, ensemble);
}
