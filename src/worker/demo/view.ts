/** What the chart and the table show of one forecast: aligned time, actuals, per-model values and the interval band. */
import type { ForecastJson } from '../../runtime/forecast-json.js';
import { formatSpan } from './format.js';
import type { LoadedData } from './rows.js';

type Series = (number | null)[];

export interface ForecastView {
  target: string;
  /** Epoch ms, history rows then forecast steps. */
  time: number[];
  /** The target's known values (null where unknown). */
  actual: Series;
  /** Each model's forecast (null over the history), the band's model excluded. */
  models: { label: string; values: Series }[];
  /** The model whose interval is shaded (`ensemble` when present). */
  bandModel: string;
  bandValues: Series;
  band?: { lower: Series; upper: Series };
  level: number;
  originTime: number;
  /** Index in `time` of the first forecast step. */
  firstStep: number;
  historyLabel: string;
  horizonLabel: string;
}

/** Rows of history shown before the forecast: up to three horizons, at most the lookback. */
export function historyRows(lookback: number, horizon: number): number {
  return Math.min(lookback, 3 * horizon);
}

const parseWallClock = (ts: string) => Date.parse(/Z|[+-]\d\d:?\d\d$/.test(ts) ? ts : `${ts}Z`);

/** Builds the view of `forecast`, made from `origin` (a row index of `data`). */
export function forecastView(
  data: LoadedData,
  forecast: ForecastJson,
  origin: number,
  options: { target: string; level: number; lookback: number; periodMs: number },
): ForecastView {
  const { target, level } = options;
  const horizon = forecast.horizon;
  const shown = historyRows(options.lookback, horizon);
  const start = Math.max(0, origin - shown);
  const steps = forecast.timestamps.map(parseWallClock);
  const time = [...Array.from(data.time.subarray(start, origin)), ...steps];
  const column = data.columns[target]!;
  const actual: Series = time.map((_, i) => {
    const v = column[start + i];
    return v !== undefined && Number.isFinite(v) && start + i < data.time.length ? v : null;
  });
  const history: Series = new Array(origin - start).fill(null);
  const labels = Object.keys(forecast.forecasts);
  const bandModel = labels.includes('ensemble') ? 'ensemble' : labels[0]!;
  const valuesOf = (label: string): Series => [...history, ...(forecast.forecasts[label]?.[target] ?? [])];
  const interval = forecast.intervals?.[bandModel]?.[target]?.[String(level)];
  const view: ForecastView = {
    target,
    time,
    actual,
    models: labels.filter((l) => l !== bandModel).map((label) => ({ label, values: valuesOf(label) })),
    bandModel,
    bandValues: valuesOf(bandModel),
    level,
    originTime: steps[0]!,
    firstStep: origin - start,
    historyLabel: formatSpan(origin - start, options.periodMs),
    horizonLabel: formatSpan(horizon, options.periodMs),
  };
  if (interval)
    view.band = { lower: [...history, ...interval.lower], upper: [...history, ...interval.upper] };
  return view;
}
