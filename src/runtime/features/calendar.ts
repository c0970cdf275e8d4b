/**
 * Calendar features (cyclic hour/day-of-week/month/day-of-year, weekend, day/night, public holidays and
 * the days around them, Fourier terms of the day, week and year) written into a feature matrix.
 */
import { getPosition } from 'suncalc';
import { ConfigError, DataError } from '../errors.js';
import {
  CALENDAR_FEATURES,
  type CalendarFeature,
  type FourierOrders,
  HOLIDAY_FEATURES,
  type HolidayCalendar,
} from '../schemas/pipeline-config.js';
import { civilOfDay, firstDayOfYear, isLeap } from './civil-date.js';
import { fourierNames, fourierTerms } from './fourier.js';
import { type HolidayDays, holidayDays } from './holiday-days.js';

/** Where the data was recorded (`day_night`), its holiday calendar and its Fourier orders. */
export interface CalendarOptions {
  /** Site latitude in degrees (required for `day_night`). */
  latitude?: number | undefined;
  /** Site longitude in degrees (required for `day_night`). */
  longitude?: number | undefined;
  /** Offset of the timestamps' wall-clock time from UTC, in hours. @default 0 */
  utcOffsetHours?: number | undefined;
  /** Fourier terms appended after the named features. @default none */
  fourier?: FourierOrders | undefined;
  /** The resolved holiday calendar (required by the holiday features). */
  holidays?: HolidayCalendar | undefined;
}

/** Fills calendar features for many timestamps; build once with {@link createCalendarEncoder}, reuse. */
export interface CalendarEncoder {
  /** Column names, in the order they are written. */
  readonly names: readonly string[];
  /** Number of columns written per timestamp. */
  readonly width: number;
  /**
   * Write row `i` (timestamp `times[i]`) to `out[offset + i·stride + k]`, `k < width`.
   * @param offset index of the first row's first calendar column. @default 0
   * @param stride distance between rows, at least `width`. @default width
   */
  write(times: ArrayLike<number>, out: Float64Array, offset?: number, stride?: number): void;
  /** Column-major form: one array of `times.length` values per name (views of one buffer). */
  columns(times: ArrayLike<number>): Float64Array[];
}

const NAMES: Record<CalendarFeature, readonly string[]> = {
  hour: ['hour_sin', 'hour_cos'],
  day_of_week: ['dow_sin', 'dow_cos'],
  month: ['month_sin', 'month_cos'],
  weekend: ['weekend'],
  day_night: ['day_night'],
  day_of_year: ['doy_sin', 'doy_cos'],
  holiday: ['holiday'],
  bridge_day: ['bridge_day'],
  holiday_eve: ['holiday_eve'],
  after_holiday: ['after_holiday'],
};

const [HOUR, DOW, MONTH, WEEKEND, DAY_NIGHT, DOY, HOLIDAY, BRIDGE, EVE, AFTER] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
] as const;
const CODES: Record<CalendarFeature, number> = {
  hour: HOUR,
  day_of_week: DOW,
  month: MONTH,
  weekend: WEEKEND,
  day_night: DAY_NIGHT,
  day_of_year: DOY,
  holiday: HOLIDAY,
  bridge_day: BRIDGE,
  holiday_eve: EVE,
  after_holiday: AFTER,
};

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const TAU = 2 * Math.PI;
const MINUTE_MS = 60_000;
/** log2 of the slots in an encoder's day/night cache (16 Ki slots, 80 KB, allocated on first use). */
const SUN_CACHE_BITS = 14;
const SUN_CACHE_SLOTS = 1 << SUN_CACHE_BITS;

/** sin/cos of 2π·i/period for i < count, computed once so the hot loop only indexes. */
function cycle(count: number, angle: (i: number) => number): [Float64Array, Float64Array] {
  const sin = new Float64Array(count);
  const cos = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    sin[i] = Math.sin(angle(i));
    cos[i] = Math.cos(angle(i));
  }
  return [sin, cos];
}
// minute of day m → hour + minute/60 = m/60
const [HOUR_SIN, HOUR_COS] = cycle(1440, (m) => (TAU * (m / 60)) / 24);
const [DOW_SIN, DOW_COS] = cycle(7, (d) => (TAU * d) / 7);
// month index 0–11 = month − 1
const [MONTH_SIN, MONTH_COS] = cycle(12, (m) => (TAU * m) / 12);

function checkFeature(feature: string): asserts feature is CalendarFeature {
  if (!Object.hasOwn(NAMES, feature)) {
    throw new ConfigError(`unknown calendar feature "${feature}"`, [
      { path: 'calendar', message: `expected one of ${CALENDAR_FEATURES.join(', ')}, got "${feature}"` },
    ]);
  }
}

/**
 * Column names of `features`, in order: `hour` → `hour_sin, hour_cos`; `day_of_week` →
 * `dow_sin, dow_cos`; `month` → `month_sin, month_cos`; `weekend` → `weekend`; `day_night` → `day_night`;
 * `day_of_year` → `doy_sin, doy_cos`; each holiday flag → its own name; then the Fourier terms
 * (`fourier_day_sin1, fourier_day_cos1, …`, day then week then year).
 */
export function calendarFeatureNames(
  features: readonly CalendarFeature[],
  fourier?: FourierOrders,
): string[] {
  return [
    ...features.flatMap((f) => {
      checkFeature(f);
      return NAMES[f];
    }),
    ...fourierNames(fourier),
  ];
}

/** Number of columns {@link calendarFeatureNames} gives for `features` (and `fourier`). */
export function calendarWidth(features: readonly CalendarFeature[], fourier?: FourierOrders): number {
  return calendarFeatureNames(features, fourier).length;
}

/**
 * Build an encoder for `features`. Timestamps are epoch milliseconds of wall-clock time read as
 * UTC (what `Date.UTC(y, m, d, h)` gives for the local reading `y-m-d h:00`). Per timestamp:
 * - `hour`: sin/cos of 2π·(hour + minute/60)/24;
 * - `day_of_week`: sin/cos of 2π·dow/7 with Monday = 0 … Sunday = 6 (pandas' convention);
 * - `month`: sin/cos of 2π·(month − 1)/12;
 * - `weekend`: 1 on Saturday and Sunday, else 0;
 * - `day_night`: 1 when the apparent (refraction-corrected) altitude of the sun's centre at
 *   (latitude, longitude) is above 0° at the instant `time − utcOffsetHours`, else 0 (suncalc's
 *   `getPosition`);
 * - `day_of_year`: sin/cos of 2π·(day of year − 1)/(days in that year);
 * - `holiday`: 1 on a day of the holiday calendar; `holiday_eve` / `after_holiday`: 1 on the day before /
 *   after one (when not a holiday itself); `bridge_day`: 1 on a working day (Monday–Friday, not a holiday)
 *   whose neighbours are both days off (weekend or holiday), at least one of them a holiday;
 * - Fourier terms: sin/cos of 2π·k·t/P for the orders in `options.fourier` (see {@link fourierTerms}).
 * A non-finite timestamp gives NaN in every column. The encoder caches `day_night` per whole
 * minute (16 Ki slots, allocated on first use), since overlapping windows repeat timestamps.
 * `write` throws {@link DataError} when the rows would not fit in `out` or `stride < width`.
 * A holiday feature at a day outside the calendar's years throws {@link DataError} (the checkpoint would
 * otherwise read a holiday as a working day).
 * @throws ConfigError when a feature is unknown, `day_night` lacks latitude or longitude, or a holiday
 *   feature has no resolved holiday calendar.
 */
export function createCalendarEncoder(
  features: readonly CalendarFeature[],
  options: CalendarOptions = {},
): CalendarEncoder {
  const names = calendarFeatureNames(features, options.fourier);
  const width = names.length;
  const fourier = fourierTerms(options.fourier);
  const needsHolidays = features.some((f) => (HOLIDAY_FEATURES as readonly string[]).includes(f));
  const holidays: HolidayDays | undefined = needsHolidays ? holidayDays(options.holidays) : undefined;
  const { latitude, longitude } = options;
  const shiftMs = (options.utcOffsetHours ?? 0) * HOUR_MS;
  if (features.includes('day_night') && (latitude === undefined || longitude === undefined)) {
    throw new ConfigError('"day_night" needs latitude and longitude', [
      { path: 'calendar', message: '"day_night" needs latitude and longitude' },
    ]);
  }
  const codes = Uint8Array.from(features, (f) => CODES[f]);
  const sun = (wallMs: number): number =>
    getPosition(new Date(wallMs - shiftMs), latitude!, longitude!).altitude > 0 ? 1 : 0;
  // Direct-mapped cache keyed by whole minutes: overlapping windows repeat the same timestamps,
  // and suncalc costs ~0.3 µs a call. A Map of doubles measured slower than suncalc itself.
  let keys: Int32Array | undefined;
  let vals: Int8Array | undefined;
  const isDay = (wallMs: number): number => {
    const minute = wallMs / MINUTE_MS;
    if (!Number.isInteger(minute) || minute < -0x7fffffff || minute > 0x7fffffff) return sun(wallMs);
    if (!keys || !vals) {
      keys = new Int32Array(SUN_CACHE_SLOTS);
      vals = new Int8Array(SUN_CACHE_SLOTS).fill(-1);
    }
    const slot = Math.imul(minute, 0x9e3779b1) >>> (32 - SUN_CACHE_BITS);
    if (vals[slot] !== -1 && keys[slot] === minute) return vals[slot]!;
    const v = sun(wallMs);
    keys[slot] = minute;
    vals[slot] = v;
    return v;
  };

  /** Row i, feature column c lands at `out[offset + i·stride + c·col]`. */
  const fill = (
    times: ArrayLike<number>,
    out: Float64Array,
    offset: number,
    stride: number,
    col: number,
  ): void => {
    // Consecutive timestamps mostly share a day, so remember the last day's civil date.
    let memoDay = Number.NaN;
    let memoMonth = 0;
    let memoDoy = 0;
    let memoYearDays = 365;
    for (let i = 0; i < times.length; i++) {
      const t = times[i]!;
      let k = offset + i * stride;
      if (!Number.isFinite(t)) {
        for (let c = 0; c < width; c++) out[k + c * col] = Number.NaN;
        continue;
      }
      const days = Math.floor(t / DAY_MS);
      if (days !== memoDay) {
        memoDay = days;
        const { year, month } = civilOfDay(days);
        memoMonth = month - 1;
        memoDoy = days - firstDayOfYear(year);
        memoYearDays = isLeap(year) ? 366 : 365;
      }
      // 1970-01-01 was a Thursday, which is 3 when Monday = 0.
      const dow = (((days + 3) % 7) + 7) % 7;
      for (let j = 0; j < codes.length; j++) {
        switch (codes[j]) {
          case HOUR: {
            const m = Math.floor((t - days * DAY_MS) / MINUTE_MS);
            out[k] = HOUR_SIN[m]!;
            out[k + col] = HOUR_COS[m]!;
            k += 2 * col;
            break;
          }
          case DOW:
            out[k] = DOW_SIN[dow]!;
            out[k + col] = DOW_COS[dow]!;
            k += 2 * col;
            break;
          case MONTH:
            out[k] = MONTH_SIN[memoMonth]!;
            out[k + col] = MONTH_COS[memoMonth]!;
            k += 2 * col;
            break;
          case WEEKEND:
            out[k] = dow >= 5 ? 1 : 0;
            k += col;
            break;
          case DAY_NIGHT:
            out[k] = isDay(t);
            k += col;
            break;
          case DOY: {
            const angle = (TAU * memoDoy) / memoYearDays;
            out[k] = Math.sin(angle);
            out[k + col] = Math.cos(angle);
            k += 2 * col;
            break;
          }
          case HOLIDAY:
            out[k] = holidays!.flag(days, t, 'holiday');
            k += col;
            break;
          case BRIDGE:
            out[k] = holidays!.flag(days, t, 'bridge_day');
            k += col;
            break;
          case EVE:
            out[k] = holidays!.flag(days, t, 'holiday_eve');
            k += col;
            break;
          default:
            out[k] = holidays!.flag(days, t, 'after_holiday');
            k += col;
        }
      }
      if (fourier) k = fourier.write(t, out, k, col);
    }
  };

  const write = (times: ArrayLike<number>, out: Float64Array, offset = 0, stride = width): void => {
    const end = offset + (times.length - 1) * stride + width;
    if (times.length > 0 && (offset < 0 || stride < width || end > out.length)) {
      // Typed arrays drop out-of-range writes silently; refuse instead.
      throw new DataError(
        `calendar features do not fit: offset ${offset}, stride ${stride}, width ${width}, ` +
          `${times.length} rows need ${end} cells, the output has ${out.length}`,
        { offset, stride, width, rows: times.length, length: out.length },
      );
    }
    fill(times, out, offset, stride, 1);
  };

  const columns = (times: ArrayLike<number>): Float64Array[] => {
    const n = times.length;
    const buf = new Float64Array(n * width);
    fill(times, buf, 0, 1, n);
    return names.map((_, c) => buf.subarray(c * n, (c + 1) * n));
  };
  return { names, width, write, columns };
}

/**
 * One-shot form of {@link createCalendarEncoder}: write the calendar features of `times` into
 * `out[offset + i·stride + k]`. Prefer a reused encoder in loops (it keeps the day/night cache).
 */
export function writeCalendarFeatures(
  times: ArrayLike<number>,
  features: readonly CalendarFeature[],
  options: CalendarOptions,
  out: Float64Array,
  offset = 0,
  stride = calendarWidth(features),
): void {
  createCalendarEncoder(features, options).write(times, out, offset, stride);
}

/**
 * Calendar features of `times` as columns, one `Float64Array` per name of
 * {@link calendarFeatureNames} (views of one buffer). Same definitions as {@link createCalendarEncoder}.
 * @example calendarMatrix([Date.UTC(2024, 0, 6)], ['weekend'], {}) // [Float64Array [1]]
 */
export function calendarMatrix(
  times: ArrayLike<number>,
  features: readonly CalendarFeature[],
  options: CalendarOptions = {},
): Float64Array[] {
  return createCalendarEncoder(features, options).columns(times);
}
