/** Number and time formatting for the demo page (wall-clock times, shown as they are in the data). */

/** `2024-04-14 13:30` from epoch ms (UTC = the data's wall clock). */
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}

/** `Sun 14 Apr 2024 13:30`, for the window control's spoken value. */
export function formatLongTime(ms: number): string {
  const d = new Date(ms);
  const date = d.toLocaleDateString('en-GB', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  });
  return `${date} ${formatTime(ms).slice(11)}`;
}

/** A value with about four significant digits. */
export function formatValue(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const abs = Math.abs(v);
  return abs >= 100 ? v.toFixed(1) : abs >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

/** `30min` × n rows as `7 days`, `1 day`, `12 h`. */
export function formatSpan(rows: number, periodMs: number): string {
  const hours = (rows * periodMs) / 3_600_000;
  if (hours >= 24 && hours % 24 === 0) return `${hours / 24} day${hours === 24 ? '' : 's'}`;
  return `${Number(hours.toFixed(2))} h`;
}
