/** DataPipelineConfig: which columns, what cadence, how windows and features are built. */
import { z } from 'zod';
import { tryParsePeriod } from '../period.js';

export const CALENDAR_FEATURES = ['hour', 'day_of_week', 'month', 'weekend', 'day_night'] as const;
export type CalendarFeature = (typeof CALENDAR_FEATURES)[number];

export const SCALERS = ['standard', 'robust', 'minmax', 'none'] as const;
export type ScalerKind = (typeof SCALERS)[number];

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
  return out;
});
