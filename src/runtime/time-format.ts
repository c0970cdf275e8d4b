/** Formatting of naive (wall-clock-as-UTC) timestamps. */

/** `2017-06-30T13:00:00` — ISO 8601 without a zone, since timestamps are wall-clock. */
export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}
