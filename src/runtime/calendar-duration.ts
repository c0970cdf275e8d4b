/** Durations for backtest folds: calendar months/years (`3M`, `1Y`) or fixed periods (`90D`, `12h`). */
import { tryParsePeriod } from './period.js';
import { checkTimeInRange } from './time-range.js';

const CALENDAR_RE = /^\s*(\d+)?\s*(M|MS|Y|YS)\s*$/;

/** Whether `text` is a calendar (`3M`, `1Y`) or fixed (`90D`) duration. */
export function isDuration(text: string): boolean {
  return CALENDAR_RE.test(text) || tryParsePeriod(text) !== undefined;
}

/**
 * `t + duration` for wall-clock-as-UTC epoch ms. Months add calendar months (clamping the day, as
 * pandas' DateOffset does: Jan 31 + 1M = Feb 28/29); other units add a fixed span.
 * @throws DataError when `t` or the result is outside the supported time range (see time-range.ts).
 */
export function addDuration(t: number, text: string): number {
  checkTimeInRange(t, 'start of the duration');
  const end = addUnchecked(t, text);
  checkTimeInRange(end, `start + ${text.trim()}`, end);
  return end;
}

function addUnchecked(t: number, text: string): number {
  const match = CALENDAR_RE.exec(text);
  if (match) {
    const count = match[1] === undefined ? 1 : Number(match[1]);
    const months = match[2]!.startsWith('Y') ? 12 * count : count;
    const d = new Date(t);
    const y = d.getUTCFullYear();
    const m = d.getUTCMonth() + months;
    const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
    return Date.UTC(
      y,
      m,
      Math.min(d.getUTCDate(), lastDay),
      d.getUTCHours(),
      d.getUTCMinutes(),
      d.getUTCSeconds(),
    );
  }
  const ms = tryParsePeriod(text);
  if (ms === undefined)
    throw new RangeError(`expected a duration such as "3M", "1Y", "90D" or "12h", got "${text}"`);
  return t + ms;
}
