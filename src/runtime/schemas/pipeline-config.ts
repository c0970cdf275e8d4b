/** DataPipelineConfig: which columns, what cadence, how windows and features are built. */
import { z } from 'zod';
import { tryParsePeriod } from '../period.js';

/** Calendar features a pipeline can compute for each forecast step. */
export const CALENDAR_FEATURES = [
  'hour',
  'day_of_week',
  'month',
  'weekend',
  'day_night',
  'day_of_year',
  'holiday',
  'bridge_day',
  'holiday_eve',
  'after_holiday',
] as const;
/** One of `CALENDAR_FEATURES`. */
export type CalendarFeature = (typeof CALENDAR_FEATURES)[number];

/** Scalers for targets and covariates, fitted on the training rows. */
export const SCALERS = ['standard', 'robust', 'minmax', 'none'] as const;
/** One of `SCALERS`. */
export type ScalerKind = (typeof SCALERS)[number];

/** Calendar features that read the pipeline's holiday calendar. */
export const HOLIDAY_FEATURES = ['holiday', 'bridge_day', 'holiday_eve', 'after_holiday'] as const;

/** Fourier terms per cycle: order K adds sin/cos of 2π·k·t/P for k = 1…K (0 = none). */
export const FourierOrdersSchema = z
  .object({
    /** Daily cycle (P = 1 day). */
    day: z.int().min(0).max(24).default(0),
    /** Weekly cycle (P = 7 days, Monday 00:00 at phase 0). */
    week: z.int().min(0).max(24).default(0),
    /** Yearly cycle (P = 365.2425 days, 1 January 00:00 1970 at phase 0). */
    year: z.int().min(0).max(24).default(0),
  })
  .strict();
/** Fourier orders of the daily, weekly and yearly cycles. */
export type FourierOrders = z.output<typeof FourierOrdersSchema>;

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'expected a date as YYYY-MM-DD' });

/**
 * Public holidays of a country (and region), for the holiday features. Node resolves `dates` and `years`
 * with `date-holidays` when a pipeline is fitted; the runtime reads only the resolved list, so every
 * platform computes the same flags without shipping a holiday library.
 */
export const HolidayCalendarSchema = z
  .object({
    /** ISO 3166-1 alpha-2 country code, e.g. `US`, `DE`, `GB`. */
    country: z
      .string()
      .regex(/^[A-Za-z]{2}$/, { message: 'expected a two-letter country code such as "US"' }),
    /** Region (state, province) code as date-holidays names it, e.g. `CA` for California. */
    region: z.string().min(1).max(10).optional(),
    /** First and last calendar year the `dates` cover. */
    years: z.tuple([z.int(), z.int()]).optional(),
    /** The public holidays in `years`, as YYYY-MM-DD, sorted. */
    dates: z.array(isoDay).optional(),
  })
  .strict();
/** A holiday calendar: where, and (once resolved) which days. */
export type HolidayCalendar = z.output<typeof HolidayCalendarSchema>;

const periodString = z.string().refine((s) => tryParsePeriod(s) !== undefined, {
  message: 'expected a period such as "30min", "1h", "1D" or "7D"',
});

/** A length given either as a count of periods (`24`) or as a duration (`"1D"`). */
const steps = z.union([z.int().positive(), periodString]);

const columnList = z.union([z.string(), z.array(z.string().min(1))]).transform((v) =>
  typeof v === 'string'
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : v,
);

/** twiga's `DataPipelineConfig` as given: columns, cadence, window lengths, features, scalers. */
export const PipelineConfigInput = z
  .object({
    /** Target column(s) to forecast. */
    target: columnList.refine((v) => v.length > 0, { message: 'at least one target column is required' }),
    /** Column holding the timestamps. */
    timeColumn: z.string().min(1).default('timestamp'),
    /** Column naming the series of a panel (Nixtla's `unique_id`); absent for a single series. */
    idColumn: z.string().min(1).optional(),
    /** Sampling period of the series; Node's trainer infers it from the data when absent, else 1h. */
    period: periodString.optional(),
    /** Forecast horizon, in periods or as a duration. */
    horizon: steps.default('1D'),
    /** History length fed to the models, in periods or as a duration. */
    lookback: steps.default('7D'),
    /** Spacing of forecast origins for evaluation and prediction; defaults to the horizon. */
    stride: steps.optional(),
    /** Spacing of training windows; 1 uses every available window. */
    trainStride: steps.default(1),
    /** Calendar features computed for each forecast step. */
    calendar: z.array(z.enum(CALENDAR_FEATURES)).default(['hour', 'day_of_week', 'weekend']),
    /** Fourier terms of the day, week and year, computed for each forecast step. */
    fourier: FourierOrdersSchema.default({ day: 0, week: 0, year: 0 }),
    /** Public holidays for `holiday`, `bridge_day`, `holiday_eve` and `after_holiday`. */
    holidays: HolidayCalendarSchema.optional(),
    /** Known-in-advance covariates (e.g. weather forecasts): their values at the forecast steps are features. */
    exogenous: columnList.default([]),
    /** Observed-only covariates: their values over the lookback are features. */
    pastExogenous: columnList.default([]),
    inputScaler: z.enum(SCALERS).default('standard'),
    targetScaler: z.enum(SCALERS).default('standard'),
    /** Site latitude in degrees, for `day_night`. */
    latitude: z.number().min(-90).max(90).optional(),
    /** Site longitude in degrees, for `day_night`. */
    longitude: z.number().min(-180).max(180).optional(),
    /** Offset of the data's wall-clock time from UTC in hours, for `day_night`. */
    utcOffsetHours: z.number().min(-14).max(14).default(0),
  })
  .strict();

export type PipelineConfigInput = z.input<typeof PipelineConfigInput>;

/** A pipeline config with every length resolved to a whole number of periods. */
export interface PipelineConfig {
  target: string[];
  timeColumn: string;
  /** Column naming the series of a panel; set for fleets and global models. */
  idColumn?: string;
  period: string;
  periodMs: number;
  horizon: number;
  lookback: number;
  stride: number;
  trainStride: number;
  calendar: CalendarFeature[];
  fourier: FourierOrders;
  holidays?: HolidayCalendar;
  exogenous: string[];
  pastExogenous: string[];
  inputScaler: ScalerKind;
  targetScaler: ScalerKind;
  latitude?: number;
  longitude?: number;
  utcOffsetHours: number;
}

function toSteps(value: number | string, periodMs: number): number | string {
  if (typeof value === 'number') return value;
  const ms = tryParsePeriod(value)!;
  const n = ms / periodMs;
  return Number.isInteger(n) ? n : `"${value}" is not a whole number of periods`;
}

/** Parse, apply defaults and resolve durations to steps; errors name the field. */
export const PipelineConfigSchema = PipelineConfigInput.transform((input, ctx): PipelineConfig => {
  const raw = { ...input, period: input.period ?? '1h' };
  const periodMs = tryParsePeriod(raw.period)!;
  const resolve = (
    key: 'horizon' | 'lookback' | 'trainStride' | 'stride',
    value: number | string,
  ): number => {
    const n = toSteps(value, periodMs);
    if (typeof n === 'string') {
      ctx.addIssue({ code: 'custom', path: [key], message: `${n} (period ${raw.period})` });
      return 1;
    }
    return n;
  };
  const horizon = resolve('horizon', raw.horizon);
  const lookback = resolve('lookback', raw.lookback);
  const stride = raw.stride === undefined ? horizon : resolve('stride', raw.stride);
  const trainStride = resolve('trainStride', raw.trainStride);
  if (raw.calendar.includes('day_night') && (raw.latitude === undefined || raw.longitude === undefined)) {
    ctx.addIssue({
      code: 'custom',
      path: ['calendar'],
      message: '"day_night" needs latitude and longitude',
    });
  }
  if (raw.calendar.some((f) => (HOLIDAY_FEATURES as readonly string[]).includes(f)) && !raw.holidays) {
    ctx.addIssue({
      code: 'custom',
      path: ['holidays'],
      message: `holiday features (${HOLIDAY_FEATURES.join(', ')}) need a holiday calendar, e.g. { "country": "US" }`,
    });
  }
  const used = new Set<string>();
  for (const [key, cols] of [
    ['target', raw.target],
    ['exogenous', raw.exogenous],
    ['pastExogenous', raw.pastExogenous],
  ] as const) {
    for (const col of cols) {
      if (col === raw.timeColumn) {
        ctx.addIssue({ code: 'custom', path: [key], message: `"${col}" is the time column` });
      }
      if (col === raw.idColumn) {
        ctx.addIssue({ code: 'custom', path: [key], message: `"${col}" is the id column` });
      }
      if (used.has(col) && key !== 'target') {
        ctx.addIssue({ code: 'custom', path: [key], message: `"${col}" is listed twice` });
      }
      used.add(col);
    }
  }
  const out: PipelineConfig = {
    target: raw.target,
    timeColumn: raw.timeColumn,
    period: raw.period,
    periodMs,
    horizon,
    lookback,
    stride,
    trainStride,
    calendar: [...new Set(raw.calendar)],
    fourier: raw.fourier,
    exogenous: raw.exogenous,
    pastExogenous: raw.pastExogenous,
    inputScaler: raw.inputScaler,
    targetScaler: raw.targetScaler,
    utcOffsetHours: raw.utcOffsetHours,
  };
  if (raw.idColumn !== undefined) {
    if (raw.idColumn === raw.timeColumn) {
      ctx.addIssue({ code: 'custom', path: ['idColumn'], message: `"${raw.idColumn}" is the time column` });
    }
    out.idColumn = raw.idColumn;
  }
  if (raw.latitude !== undefined) out.latitude = raw.latitude;
  if (raw.longitude !== undefined) out.longitude = raw.longitude;
  if (raw.holidays !== undefined) out.holidays = raw.holidays;
  return out;
});
