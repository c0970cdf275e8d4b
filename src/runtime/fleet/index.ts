/** Many series: series ids, global-model specs, per-series forecasting, fleet scores, a synthetic fleet. */
export { aggregateFleet, type FleetAggregate, type SeriesScore, seriesScore } from './fleet-metrics.js';
export {
  type GlobalSeries,
  GlobalSeriesSchema,
  type GlobalSpec,
  GlobalSpecSchema,
  SERIES_CODE_FEATURE,
} from './global-spec.js';
export {
  forecastPanel,
  type PanelForecastJson,
  type SeriesFrame,
  seriesFramesFromColumns,
  seriesFramesFromRecords,
} from './panel-forecast.js';
export { checkSeriesId, MAX_SERIES_ID_LENGTH, seriesIdProblem } from './series-id.js';
export {
  fleetCsvChunks,
  fleetStaticCsv,
  type SyntheticFleetOptions,
  type SyntheticFleetSeries,
  syntheticFleet,
} from './synthetic-fleet.js';
