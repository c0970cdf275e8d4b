/** A resolved holiday calendar as day numbers, and the per-day flags the calendar features read. */
import { ConfigError, DataError } from '../errors.js';
import type { HolidayCalendar } from '../schemas/pipeline-config.js';
import { firstDayOfYear, isoDay } from './civil-date.js';

/** The holiday flags, one feature each. */
export type HolidayFlag = 'holiday' | 'bridge_day' | 'holiday_eve' | 'after_holiday';

/** Flags of a day (days since 1970-01-01) against one holiday calendar. */
export interface HolidayDays {
  /** @param time the timestamp being encoded, named in the error when `day` is outside the calendar. */
  flag(day: number, time: number, kind: HolidayFlag): 0 | 1;
}

const DAY_MS = 86_400_000;

function dayNumber(iso: string): number {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return Math.floor(Date.UTC(y, m - 1, d) / DAY_MS);
}

const where = (c: HolidayCalendar) => (c.region ? `${c.country}-${c.region}` : c.country);

/**
 * Day numbers of `calendar.dates`, checked against `calendar.years`.
 * @throws ConfigError when the calendar is missing or was never resolved (no `dates` or `years`).
 */
export function holidayDays(calendar: HolidayCalendar | undefined): HolidayDays {
  if (!calendar) {
    throw new ConfigError('holiday features need a holiday calendar', [
      { path: 'holidays', message: 'holiday features need a holiday calendar, e.g. { "country": "US" }' },
    ]);
  }
  if (!calendar.dates || !calendar.years) {
    throw new ConfigError(
      `the holiday calendar of ${where(calendar)} has no resolved dates: fit the pipeline in Node ` +
        '(twiga-edge train resolves them with date-holidays) or give holidays.dates and holidays.years',
      [{ path: 'holidays.dates', message: 'not resolved' }],
    );
  }
  const [fromYear, toYear] = calendar.years;
  const first = firstDayOfYear(fromYear);
  const last = firstDayOfYear(toYear + 1) - 1;
  const set = new Set(calendar.dates.map(dayNumber));
  const off = (day: number) => set.has(day) || (((day + 3) % 7) + 7) % 7 >= 5;
  return {
    flag(day, time, kind) {
      if (day < first || day > last) {
        throw new DataError(
          `day ${isoDay(day)} is outside the holiday calendar of ` +
            `${where(calendar)} (${fromYear}–${toYear}): retrain to extend it`,
          { time, years: calendar.years },
        );
      }
      const today = set.has(day);
      switch (kind) {
        case 'holiday':
          return today ? 1 : 0;
        case 'holiday_eve':
          return !today && set.has(day + 1) ? 1 : 0;
        case 'after_holiday':
          return !today && set.has(day - 1) ? 1 : 0;
        default:
          return !off(day) && off(day - 1) && off(day + 1) && (set.has(day - 1) || set.has(day + 1)) ? 1 : 0;
      }
    },
  };
}
