/** Forecast origins: which rows feed each window and which rows it predicts. */

/**
 * Origins (row index of the first forecast step) of the windows over `nRows` rows.
 * Window i uses rows `[first + i·stride, first + i·stride + lookback)` as history and predicts
 * the next `horizon` rows; windows that would run past the last row are not made.
 * @param last exclusive bound on predicted rows (defaults to `nRows`), e.g. the end of a split.
 */
export function windowOrigins(
  nRows: number,
  spec: { lookback: number; horizon: number; stride: number; first?: number; last?: number },
): number[] {
  const first = spec.first ?? 0;
  const last = Math.min(spec.last ?? nRows, nRows);
  const out: number[] = [];
  if (first < 0) throw new RangeError(`first history row must be >= 0, got ${first}`);
  for (let origin = first + spec.lookback; origin + spec.horizon <= last; origin += spec.stride) {
    out.push(origin);
  }
  return out;
}

/** Origins whose forecasts start at or after `startRow`, history allowed to reach back before it. */
export function originsFrom(
  nRows: number,
  startRow: number,
  spec: { lookback: number; horizon: number; stride: number; last?: number },
): number[] {
  let first = startRow - spec.lookback;
  // Not enough history before the first origin: start at the first origin that has it.
  if (first < 0) first += Math.ceil(-first / spec.stride) * spec.stride;
  return windowOrigins(nRows, { ...spec, first });
}
