/** The runtime's in-memory table: a sorted, regular time index and numeric columns. */
import { DataError } from './errors.js';

/** A time-indexed table: sorted epoch-ms timestamps and one `Float64Array` per column (NaN = missing). */
export interface Frame {
  /** Timestamps as epoch milliseconds of the wall-clock time read as UTC (naive timestamps). */
  readonly time: Float64Array;
  /** Numeric columns, each the same length as `time`. NaN marks a missing value. */
  readonly columns: Readonly<Record<string, Float64Array>>;
}

export function frameLength(frame: Frame): number {
  return frame.time.length;
}

/** Rows `[start, end)` of a frame, sharing memory with it. */
export function sliceFrame(frame: Frame, start: number, end: number): Frame {
  const columns: Record<string, Float64Array> = {};
  for (const [name, values] of Object.entries(frame.columns)) columns[name] = values.subarray(start, end);
  return { time: frame.time.subarray(start, end), columns };
}

/** Index of the first row whose time is >= `t` (binary search; `time` is sorted). */
export function lowerBound(time: Float64Array, t: number): number {
  let lo = 0;
  let hi = time.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (time[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * `earlier` followed by `later` on one regular grid of `periodMs`: where they overlap, `later` wins (its
 * first timestamp cuts `earlier`); a gap between them becomes NaN rows (windows across it are skipped by
 * training and scoring). Both must hold the same columns on the same grid.
 * @throws DataError naming the column or the offset when they do not line up.
 * @example
 * const all = appendFrame(reference, current, 3_600_000); // a reference window, then the recent one
 */
export function appendFrame(earlier: Frame, later: Frame, periodMs: number): Frame {
  const names = Object.keys(earlier.columns);
  const missing =
    names.find((c) => !(c in later.columns)) ??
    Object.keys(later.columns).find((c) => !(c in earlier.columns));
  if (missing !== undefined) {
    throw new DataError(`column "${missing}" is in one of the two data sets but not the other`, {
      column: missing,
    });
  }
  if (later.time.length === 0) return earlier;
  const start = later.time[0]!;
  const keep = lowerBound(earlier.time, start);
  const lastKept = keep > 0 ? earlier.time[keep - 1]! : start - periodMs;
  const steps = (start - lastKept) / periodMs;
  if (!Number.isInteger(steps)) {
    throw new DataError(
      `the second data set starts off the first one's ${periodMs / 60_000}-minute grid (${(start - lastKept) / 60_000} minutes after its last row)`,
      { periodMs, offsetMs: start - lastKept },
    );
  }
  const gap = keep > 0 ? steps - 1 : 0;
  const n = keep + gap + later.time.length;
  const time = new Float64Array(n);
  time.set(earlier.time.subarray(0, keep));
  for (let i = 0; i < gap; i++) time[keep + i] = lastKept + (i + 1) * periodMs;
  time.set(later.time, keep + gap);
  const columns: Record<string, Float64Array> = {};
  for (const name of names) {
    const values = new Float64Array(n).fill(Number.NaN);
    values.set(earlier.columns[name]!.subarray(0, keep));
    values.set(later.columns[name]!, keep + gap);
    columns[name] = values;
  }
  return { time, columns };
}
