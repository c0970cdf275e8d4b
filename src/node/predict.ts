/** Forecast the window that follows the last known target value in a data file. */
import { type ForecastJson, forecastLatest, forecastToJson } from '../runtime/forecast-json.js';
import type { EnsembleStrategy } from '../runtime/schemas/forecaster-config.js';
import { loadForecasterAndData } from './load-forecaster.js';
import type { Logger } from './log.js';

export { type ForecastJson, forecastToJson };

/** Checkpoint, data file, ensemble and interval levels of `predict`. */
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

/**
 * @example
 * const forecast = await predict({ checkpoint: 'checkpoints/etth1', data: 'recent.csv' });
 * console.log(forecast.timestamps[0], forecast.forecasts.ensemble.OT[0]);
 */
export async function predict(options: PredictOptions): Promise<ForecastJson> {
  const { forecaster, frame, version } = await loadForecasterAndData(options);
  return forecastLatest(forecaster, frame, version, {
    ...(options.ensemble ? { ensemble: options.ensemble } : {}),
    ...(options.levels ? { levels: options.levels } : {}),
  });
}
