/** Forecast the window that follows the last known target value in a data file. */
import type { ForecastBatch, Intervals } from '../runtime/forecaster.js';
import type { EnsembleStrategy } from '../runtime/schemas/forecaster-config.js';
import { formatTimestamp } from '../runtime/time-format.js';
import { loadForecasterAndData } from './load-forecaster.js';
import type { Logger } from './log.js';

export interface PredictOptions {
  checkpoint: string;
  data: string;
  ensemble?: EnsembleStrategy;
  /** Conformal interval levels to add, e.g. `[0.8, 0.9]`. */
  levels?: number[];
  timeFormat?: string;
  version?: number;
  logger?: Logger;
}

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

/**
 * @example
 * const forecast = await predict({ checkpoint: 'checkpoints/etth1', data: 'recent.csv' });
 * console.log(forecast.timestamps[0], forecast.forecasts.ensemble.OT[0]);
 */
export async function predict(options: PredictOptions): Promise<ForecastJson> {
  const loaded = await loadForecasterAndData(options);
  const { forecaster, frame } = loaded;
  const ensemble = options.ensemble ?? forecaster.manifest.ensemble;
  if (options.levels) {
    const { batch, intervals } = await forecaster.predictInterval(frame, options.levels, ensemble);
    return forecastToJson(batch, 0, loaded.version, ensemble, intervals);
  }
  const batch = await forecaster.predictLatest(frame, ensemble);
  return forecastToJson(batch, 0, loaded.version, ensemble);
}
