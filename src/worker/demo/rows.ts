/** The loaded CSV as columns, and the records the worker is sent: one forecast window, or every row for drift. */
import type { ModelInfo } from '../../runtime/serving/model-info.js';

/** Rows read from a CSV, ordered by time: epoch ms (the data's wall clock as UTC) and numeric columns (NaN = empty). */
export interface LoadedData {
  /** File name, for messages. */
  source: string;
  time: Float64Array;
  columns: Record<string, Float64Array>;
}

export type ForecastRecord = Record<string, number | null>;

/** Where forecasts can start: row indexes of a window's first forecast step. */
export interface OriginBounds {
  min: number;
  max: number;
  /** Last row whose targets are all known. */
  lastKnown: number;
}

const finite = (v: number | undefined): v is number => v !== undefined && Number.isFinite(v);

/** Last row where every target has a value; -1 when none. */
export function lastKnownRow(data: LoadedData, targets: readonly string[]): number {
  for (let i = data.time.length - 1; i >= 0; i--) {
    if (targets.every((t) => finite(data.columns[t]?.[i]))) return i;
  }
  return -1;
}

/**
 * The forecast origins the rows allow: `lookback` rows of history before, a known target just before, and
 * with known-ahead covariates `horizon` rows after. A string says why there is none.
 */
export function originBounds(data: LoadedData, info: ModelInfo): OriginBounds | string {
  const n = data.time.length;
  const lastKnown = lastKnownRow(data, info.targets);
  const min = info.lookback;
  let max = lastKnown + 1;
  if (info.exogenous.length > 0) max = Math.min(max, n - info.horizon);
  if (max >= min) return { min, max, lastKnown };
  const ahead = info.exogenous.length > 0 ? ` plus ${info.horizon} rows of ${info.exogenous.join(', ')}` : '';
  return `${data.source} has ${n} rows (${lastKnown + 1} up to the last known ${info.targets.join(', ')}); a forecast needs ${info.lookback} rows of history${ahead}`;
}

function record(data: LoadedData, info: ModelInfo, row: number, hideTargets: boolean): ForecastRecord {
  const out: ForecastRecord = { [info.time_column]: data.time[row]! };
  for (const name of info.columns) {
    const v = data.columns[name]![row];
    out[name] = (hideTargets && info.targets.includes(name)) || !finite(v) ? null : v;
  }
  return out;
}

/** The records of the window forecast from `origin`: `lookback` rows of history, then the known-ahead rows with targets empty. */
export function windowRecords(data: LoadedData, info: ModelInfo, origin: number): ForecastRecord[] {
  const end = info.exogenous.length > 0 ? origin + info.horizon : origin;
  const out: ForecastRecord[] = [];
  for (let i = origin - info.lookback; i < end; i++) out.push(record(data, info, i, i >= origin));
  return out;
}

/** Every row as a record (empty values as null), for the drift test. */
export function allRecords(data: LoadedData, info: ModelInfo): ForecastRecord[] {
  return Array.from({ length: data.time.length }, (_, i) => record(data, info, i, false));
}
