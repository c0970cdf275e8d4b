/**
 * The supported time range: pandas' `datetime64[ns]` bounds (1677-09-21T00:12:43.145224193 …
 * 2262-04-11T23:47:16.854775807) rounded inward to whole milliseconds. Every entry point that reads a
 * timestamp (records, Arrow columns, files, the browser worker) and every forecast's own timestamps
 * are checked against it here, so no `Date` downstream can overflow.
 */
import { DataError } from './errors.js';

/** Earliest supported timestamp, epoch ms (1677-09-21T00:12:43.146Z). */
export const MIN_TIME_MS = -9_223_372_036_854;
/** Latest supported timestamp, epoch ms (2262-04-11T23:47:16.854Z). */
export const MAX_TIME_MS = 9_223_372_036_854;
/** The range as it appears in error messages. */
export const TIME_RANGE_TEXT =
  '1677-09-21T00:12:43.146 … 2262-04-11T23:47:16.854 (epoch ms -9223372036854 … 9223372036854, pandas datetime64[ns])';

/** Whether `ms` is a finite epoch-ms value inside the supported range. */
export function isInTimeRange(ms: number): boolean {
  return Number.isFinite(ms) && ms >= MIN_TIME_MS && ms <= MAX_TIME_MS;
}

/** A value as written in a message: strings quoted, numbers as given (a `2^53+1` stays readable). */
function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Date) return `Date(${value.getTime()})`;
  return String(value);
}

/**
 * Throws unless `ms` lies in the supported range.
 * @param path where the value came from, e.g. `records[3].timestamp` or `file.csv row 12`.
 * @param raw the value as the caller sent it (shown in the message), default `ms`.
 * @throws DataError naming the path, the value and the range (`context`: path, value, min, max).
 */
export function checkTimeInRange(ms: number, path: string, raw: unknown = ms): void {
  if (isInTimeRange(ms)) return;
  throw new DataError(`${path}: timestamp ${shown(raw)} is outside the supported range ${TIME_RANGE_TEXT}`, {
    path,
    value: shown(raw),
    min: MIN_TIME_MS,
    max: MAX_TIME_MS,
  });
}

/**
 * Throws unless the forecast after `lastMs` (steps `lastMs + periodMs … lastMs + horizon·periodMs`)
 * ends inside the supported range: a history ending just inside the bound cannot be forecast past it.
 * @param path the field holding the last timestamp (named in the message).
 */
export function checkForecastInRange(lastMs: number, periodMs: number, horizon: number, path: string): void {
  const end = lastMs + horizon * periodMs;
  if (isInTimeRange(end)) return;
  throw new DataError(
    `${path}: a forecast of ${horizon} steps after the last timestamp would end past the supported range ${TIME_RANGE_TEXT}`,
    { path, value: lastMs, horizon, periodMs, min: MIN_TIME_MS, max: MAX_TIME_MS },
  );
}
