/** Forecast the window that follows the last known target value in a data file. */

import { DataError } from '../runtime/errors.js';
import { forecastPanel, type PanelForecastJson } from '../runtime/fleet/panel-forecast.js';
import { type ForecastJson, forecastLatest, forecastToJson } from '../runtime/forecast-json.js';
import type { EnsembleStrategy } from '../runtime/schemas/forecaster-config.js';
import { loadForecasterAndSeries } from './load-forecaster.js';
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
  /** For a global checkpoint: the data's id column when it differs from the checkpoint's. */
  idColumn?: string;
}

/**
 * @example
 * const forecast = await predict({ checkpoint: 'checkpoints/etth1', data: 'recent.csv' });
 * console.log(forecast.timestamps[0], forecast.forecasts.ensemble.OT[0]);
 */
export async function predict(options: PredictOptions): Promise<ForecastJson> {
  const forecast = await forecastFile(options);
  if ('series' in forecast) {
    throw new DataError(`${options.checkpoint} is a global model over many series: use predictPanel`, {
      checkpoint: options.checkpoint,
    });
  }
  return forecast;
}

/**
 * Forecast every series of a panel file with a global checkpoint, grouped by series.
 * @example
 * const { series } = await predictPanel({ checkpoint: 'checkpoints/feeders', data: 'recent-panel.csv' });
 * console.log(series['feeder-0001']?.forecasts.linear?.net_load);
 */
export async function predictPanel(options: PredictOptions): Promise<PanelForecastJson> {
  const forecast = await forecastFile(options);
  if (!('series' in forecast)) {
    throw new DataError(`${options.checkpoint} forecasts one series: use predict`, {
      checkpoint: options.checkpoint,
    });
  }
  return forecast;
}

/** What `twiga-edge predict` prints: one forecast, or one per series for a global checkpoint. */
export async function forecastFile(options: PredictOptions): Promise<ForecastJson | PanelForecastJson> {
  const { forecaster, frame, series, version } = await loadForecasterAndSeries(options);
  const o = {
    ...(options.ensemble ? { ensemble: options.ensemble } : {}),
    ...(options.levels ? { levels: options.levels } : {}),
  };
  return series
    ? forecastPanel(forecaster, series, version, o)
    : forecastLatest(forecaster, frame!, version, o);
}
