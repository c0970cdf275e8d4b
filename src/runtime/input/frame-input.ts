/**
 * Request data → Frame for a fitted pipeline: records (JSON) or columns (Arrow IPC, a browser's
 * typed arrays), checked row by row so every rejection names the field that caused it.
 */
import { DataError } from '../errors.js';
import type { Frame } from '../frame.js';
import type { PipelineConfig } from '../schemas/pipeline-config.js';
import { formatTimestamp } from '../time-format.js';
import { checkForecastInRange, checkTimeInRange } from '../time-range.js';

/** Columns by name, each with one value per row (JSON values, typed arrays or Arrow vectors' values). */
export type ColumnsInput = Readonly<Record<string, ArrayLike<unknown>>>;

/** Which checks turning records or columns into a `Frame` runs. */
export interface FrameOptions {
  /**
   * Check that the data can forecast its latest window: `lookback` rows up to the last known target and,
   * with known-ahead covariates, `horizon` rows after it. Turn off for many-window (backtest) requests.
   * @default true
   */
  latestWindow?: boolean;
}

/** How a problem's location is written: `records[3].OT` for records, `OT[3]` for columns. */
export type PathStyle = 'records' | 'columns';

const pathOf = (style: PathStyle, column: string, row: number): string =>
  style === 'records' ? `records[${row}].${column}` : `${column}[${row}]`;

/** A request value as written in a message; bigints (Arrow Int64 columns) included, which JSON.stringify rejects. */
const shownValue = (v: unknown): string =>
  typeof v === 'bigint' ? `${v}n` : typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? 'nothing');

function fail(path: string, message: string, context: Record<string, unknown> = {}): never {
  throw new DataError(`${path}: ${message}`, { ...context, path });
}

/**
 * Parses an ISO 8601 timestamp as wall-clock time (a naive `2024-01-01T00:00` or `2024-01-01 00:00`
 * reads as UTC, like the file loader), or takes a number as epoch ms; NaN when neither.
 */
export function parseTimestamp(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : Number.NaN;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.getTime();
  if (typeof value !== 'string') return Number.NaN;
  const iso = value.trim().replace(' ', 'T');
  if (!/^\d{4}-\d\d-\d\d/.test(iso)) return Number.NaN;
  const zoned = /(Z|[+-]\d\d:?\d\d)$/.test(iso);
  return Date.parse(zoned || !iso.includes('T') ? iso : `${iso}Z`);
}

/** Records (one object per row) → columns, keeping only `names`; a name absent from every row is reported. */
export function recordsToColumns(
  records: readonly Readonly<Record<string, unknown>>[],
  names: readonly string[],
): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const name of names) {
    if (!records.some((r) => name in r)) {
      fail(
        'records',
        `missing column "${name}" (the checkpoint needs ${names.map((n) => `"${n}"`).join(', ')})`,
        {
          column: name,
        },
      );
    }
    out[name] = records.map((r) => r[name]);
  }
  return out;
}

function timeAxis(values: ArrayLike<unknown>, config: PipelineConfig, style: PathStyle): Float64Array {
  const name = config.timeColumn;
  const time = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const t = parseTimestamp(values[i]);
    const path = pathOf(style, name, i);
    if (!Number.isFinite(t)) {
      fail(path, `expected an ISO 8601 timestamp or epoch milliseconds, got ${shownValue(values[i])}`);
    }
    checkTimeInRange(t, path, values[i]);
    if (i > 0) {
      const prev = time[i - 1]!;
      const previous = pathOf(style, name, i - 1);
      if (t === prev) fail(path, `duplicated timestamp ${formatTimestamp(t)} (same as ${previous})`);
      if (t < prev)
        fail(
          path,
          `timestamps must increase: ${formatTimestamp(t)} is before ${previous} (${formatTimestamp(prev)})`,
        );
      if (t - prev !== config.periodMs) {
        fail(
          path,
          `expected ${formatTimestamp(prev + config.periodMs)} (one period of ${config.period} after ${previous}), got ${formatTimestamp(t)}`,
        );
      }
    }
    time[i] = t;
  }
  return time;
}

/**
 * A numeric column: finite numbers only, except that `null` (or a missing value) is allowed for a
 * target after its last known value — the rows a known-ahead covariate extends into.
 */
function numericColumn(
  values: ArrayLike<unknown>,
  name: string,
  isTarget: boolean,
  style: PathStyle,
): Float64Array {
  const out = new Float64Array(values.length);
  let lastKnown = -1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      out[i] = Number.NaN;
      continue;
    }
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      fail(pathOf(style, name, i), `expected a finite number, got ${shownValue(v)}`);
    }
    out[i] = v;
    lastKnown = i;
  }
  for (let i = 0; i < values.length; i++) {
    if (!Number.isNaN(out[i]!)) continue;
    if (!isTarget || i < lastKnown) {
      const why = isTarget
        ? 'a missing target is only allowed after its last known value'
        : 'covariates must be present';
      fail(pathOf(style, name, i), `expected a finite number, got null (${why})`);
    }
  }
  return out;
}

/**
 * Builds the Frame a checkpoint's pipeline reads from request columns: the time column parsed and
 * checked (increasing, no duplicates, one period apart), targets and covariates finite numbers.
 * Columns the pipeline does not use are ignored.
 * @throws DataError whose message starts with the offending field's path and whose `context.path` holds it.
 */
export function frameFromColumns(
  columns: ColumnsInput,
  config: PipelineConfig,
  style: PathStyle = 'columns',
  options: FrameOptions = {},
): Frame {
  const needed = [...config.target, ...config.pastExogenous, ...config.exogenous];
  const names = [config.timeColumn, ...needed];
  for (const name of names) {
    if (!(name in columns)) {
      fail(
        style,
        `missing column "${name}" (the checkpoint needs ${names.map((n) => `"${n}"`).join(', ')})`,
        {
          column: name,
        },
      );
    }
  }
  const rows = columns[config.timeColumn]!.length;
  if (rows === 0) fail(style, 'no rows');
  for (const name of needed) {
    if (columns[name]!.length !== rows) {
      fail(name, `has ${columns[name]!.length} values but "${config.timeColumn}" has ${rows}`);
    }
  }
  const time = timeAxis(columns[config.timeColumn]!, config, style);
  const out: Record<string, Float64Array> = {};
  for (const name of needed)
    out[name] = numericColumn(columns[name]!, name, config.target.includes(name), style);
  if (options.latestWindow !== false) checkLength(time, out, rows, config, style);
  return { time, columns: out };
}

/** Enough history for the lookback, a forecast that ends in the time range, and the horizon's rows for known-ahead covariates. */
function checkLength(
  time: Float64Array,
  columns: Record<string, Float64Array>,
  rows: number,
  config: PipelineConfig,
  style: PathStyle,
): void {
  const first = columns[config.target[0]!]!;
  let known = first.length;
  while (known > 0 && Number.isNaN(first[known - 1]!)) known--;
  if (known < config.lookback) {
    fail(
      style,
      `need at least ${config.lookback} rows of history (the lookback) up to the last known target value, got ${known}`,
      {
        required: config.lookback,
        rows: known,
      },
    );
  }
  checkForecastInRange(
    time[known - 1]!,
    config.periodMs,
    config.horizon,
    pathOf(style, config.timeColumn, known - 1),
  );
  if (config.exogenous.length > 0 && rows - known < config.horizon) {
    fail(
      style,
      `known-ahead covariates ${config.exogenous.map((c) => `"${c}"`).join(', ')} need ${config.horizon} rows after the last target value, got ${rows - known}`,
      { required: config.horizon, rows: rows - known },
    );
  }
}

/** {@link frameFromColumns} for records, with paths like `records[3].OT`. */
export function frameFromRecords(
  records: readonly Readonly<Record<string, unknown>>[],
  config: PipelineConfig,
  options: FrameOptions = {},
): Frame {
  if (records.length === 0) fail('records', 'no rows');
  const names = [config.timeColumn, ...config.target, ...config.pastExogenous, ...config.exogenous];
  return frameFromColumns(recordsToColumns(records, names), config, 'records', options);
}
