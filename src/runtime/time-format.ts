/** Formatting of naive (wall-clock-as-UTC) timestamps. */
import { checkTimeInRange } from './time-range.js';

/**
 * `2017-06-30T13:00:00` — ISO 8601 without a zone, since timestamps are wall-clock.
 * @throws DataError (not a `RangeError` from `Date`) when `ms` is outside the supported time range.
 */
export function formatTimestamp(ms: number): string {
  checkTimeInRange(ms, 'timestamp');
  return new Date(ms).toISOString().slice(0, 19);
}
