/** Fill NaN runs of an evenly spaced series linearly between valid values; ends stay NaN. */

/** How many values a fill changed, and how many it could not. */
export interface Filled {
  /** NaN values between two valid ones, filled linearly. */
  readonly interior: number;
  /**
   * NaN values before the first or after the last valid one, left NaN: there is nothing to
   * interpolate towards, and trailing blanks are how a file marks future rows (covariates only).
   */
  readonly edges: number;
}

/**
 * Fill the interior NaNs of `values` in place. Rows are evenly spaced, so linear in the index is
 * linear in time. A column with no valid value is left as it is.
 */
export function interpolateInPlace(values: Float64Array): Filled {
  const n = values.length;
  let interior = 0;
  let first = -1;
  let last = -1;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(values[i]!)) continue;
    if (first === -1) first = i;
    else if (i - last > 1) {
      const a = values[last]!;
      const step = (values[i]! - a) / (i - last);
      for (let j = last + 1; j < i; j++) values[j] = a + step * (j - last);
      interior += i - last - 1;
    }
    last = i;
  }
  const edges = first === -1 ? 0 : first + (n - 1 - last);
  return { interior, edges };
}
