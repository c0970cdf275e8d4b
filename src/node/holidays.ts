/** Resolves a pipeline's holiday calendar (country, region) to dates with date-holidays, at training time. */
import Holidays from 'date-holidays';
import { ConfigError } from '../runtime/errors.js';
import { civilOfDay } from '../runtime/features/civil-date.js';
import type { HolidayCalendar, PipelineConfig } from '../runtime/schemas/pipeline-config.js';

/** Years resolved after the data's last year, so a checkpoint can forecast that far ahead. */
export const HOLIDAY_YEARS_AHEAD = 30;

// Without `Date`: a timestamp past its range must not turn into NaN years here.
const yearOf = (ms: number) => civilOfDay(Math.floor(ms / 86_400_000)).year;

/**
 * Public holidays (date-holidays' type `public`, substitute days included) of `calendar` in the years
 * `[fromYear, toYear]`, as sorted unique YYYY-MM-DD dates.
 * @throws ConfigError naming the country or region when date-holidays does not know it.
 */
export function publicHolidays(calendar: HolidayCalendar, fromYear: number, toYear: number): string[] {
  const country = calendar.country.toUpperCase();
  const known = new Holidays().getCountries();
  if (!known[country]) {
    throw new ConfigError(`unknown holiday country "${calendar.country}"`, [
      {
        path: 'holidays.country',
        message: `expected an ISO 3166-1 code known to date-holidays, got "${calendar.country}"`,
      },
    ]);
  }
  if (calendar.region !== undefined) {
    const regions = new Holidays().getStates(country) ?? {};
    if (!regions[calendar.region.toUpperCase()]) {
      throw new ConfigError(`unknown holiday region "${calendar.region}" of ${country}`, [
        {
          path: 'holidays.region',
          message: `expected one of ${Object.keys(regions).join(', ') || '(none)'}, got "${calendar.region}"`,
        },
      ]);
    }
  }
  const holidays =
    calendar.region === undefined
      ? new Holidays(country)
      : new Holidays(country, calendar.region.toUpperCase());
  const dates = new Set<string>();
  for (let year = fromYear; year <= toYear; year++) {
    for (const h of holidays.getHolidays(year)) if (h.type === 'public') dates.add(h.date.slice(0, 10));
  }
  return [...dates].sort();
}

/**
 * The pipeline config with its holiday calendar resolved for the data's span: from the year before the
 * first timestamp to {@link HOLIDAY_YEARS_AHEAD} years after the last. A calendar already covering that
 * span (e.g. a retraining on the incumbent's config) is kept as it is.
 */
export function withHolidays(config: PipelineConfig, time: ArrayLike<number>): PipelineConfig {
  const calendar = config.holidays;
  if (!calendar || time.length === 0) return config;
  const first = yearOf(time[0]!);
  const last = yearOf(time[time.length - 1]!);
  if (calendar.dates && calendar.years && calendar.years[0] <= first && calendar.years[1] >= last + 1)
    return config;
  const years: [number, number] = [first - 1, last + HOLIDAY_YEARS_AHEAD];
  return { ...config, holidays: { ...calendar, years, dates: publicHolidays(calendar, years[0], years[1]) } };
}
