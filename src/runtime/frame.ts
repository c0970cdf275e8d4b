/** The runtime's in-memory table: a sorted, regular time index and numeric columns. */

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
