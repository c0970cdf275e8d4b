/** Day of year, Fourier terms and holiday flags: values on known dates, names, errors and pipeline round trip. */
import { describe, expect, it } from 'vitest';
import { ConfigError, DataError } from '../../../src/runtime/errors.js';
import { calendarFeatureNames, createCalendarEncoder } from '../../../src/runtime/features/calendar.js';
import { civilOfDay, firstDayOfYear, isoDay } from '../../../src/runtime/features/civil-date.js';
import {
  fitPipeline,
  pipelineFromJson,
  pipelineToJson,
  prepareFrame,
} from '../../../src/runtime/features/pipeline.js';
import {
  type CalendarFeature,
  type FourierOrders,
  type HolidayCalendar,
  PipelineConfigSchema,
} from '../../../src/runtime/schemas/pipeline-config.js';

const TAU = 2 * Math.PI;
const DAY = 86_400_000;
// US public holidays of 2024 (July 4 is a Thursday, Thanksgiving 28 November a Thursday, Christmas a Wednesday).
const US_2024: HolidayCalendar = {
  country: 'US',
  years: [2024, 2024],
  dates: ['2024-01-01', '2024-05-27', '2024-07-04', '2024-11-28', '2024-12-25'],
};

function row(time: number, features: CalendarFeature[], fourier?: FourierOrders, holidays = US_2024) {
  const enc = createCalendarEncoder(features, { fourier, holidays });
  const out = new Float64Array(enc.width);
  enc.write([time], out);
  return Object.fromEntries(enc.names.map((n, i) => [n, out[i]!]));
}

const flags: CalendarFeature[] = ['holiday', 'bridge_day', 'holiday_eve', 'after_holiday'];
const flagsOn = (y: number, m: number, d: number) => row(Date.UTC(y, m - 1, d, 12), flags);

describe('civil dates without Date', () => {
  it('agrees with Date over four centuries and formats any day', () => {
    for (let day = -146_097; day <= 146_097; day += 97) {
      const d = new Date(day * DAY);
      expect(civilOfDay(day)).toEqual({
        year: d.getUTCFullYear(),
        month: d.getUTCMonth() + 1,
        day: d.getUTCDate(),
      });
    }
    for (const year of [1600, 1900, 1970, 2000, 2024, 2100])
      expect(firstDayOfYear(year)).toBe(Date.UTC(year, 0, 1) / DAY);
    expect(isoDay(1e12)).toMatch(/^\d+-\d{2}-\d{2}$/); // far past Date's range, no RangeError
  });
});

describe('day of year', () => {
  it('is sin/cos of 2π·(day − 1)/(days in the year)', () => {
    expect(row(Date.UTC(2023, 0, 1), ['day_of_year'])).toEqual({ doy_sin: 0, doy_cos: 1 });
    const leap = row(Date.UTC(2024, 11, 31, 23), ['day_of_year']);
    expect(leap.doy_sin).toBeCloseTo(Math.sin((TAU * 365) / 366), 14);
    const plain = row(Date.UTC(2023, 6, 2), ['day_of_year']);
    expect(plain.doy_cos).toBeCloseTo(Math.cos((TAU * 182) / 365), 14);
  });
});

describe('Fourier terms', () => {
  const orders: FourierOrders = { day: 2, week: 1, year: 1 };
  it('are named per cycle and order, after the named features', () => {
    expect(calendarFeatureNames(['weekend'], orders)).toEqual([
      'weekend',
      'fourier_day_sin1',
      'fourier_day_cos1',
      'fourier_day_sin2',
      'fourier_day_cos2',
      'fourier_week_sin1',
      'fourier_week_cos1',
      'fourier_year_sin1',
      'fourier_year_cos1',
    ]);
  });
  it('follow the phase of the day, the Monday-based week and the mean year', () => {
    const sixAmMonday = Date.UTC(2024, 0, 1, 6); // 2024-01-01 was a Monday
    const r = row(sixAmMonday, [], orders);
    expect(r.fourier_day_sin1).toBeCloseTo(1, 14); // a quarter of the day
    expect(r.fourier_day_cos2).toBeCloseTo(-1, 14); // half a turn at order 2
    expect(r.fourier_week_sin1).toBeCloseTo(Math.sin((TAU * 0.25) / 7), 14);
    const yearPhase = (sixAmMonday / DAY / 365.2425) % 1;
    expect(r.fourier_year_cos1).toBeCloseTo(Math.cos(TAU * yearPhase), 12);
  });
  it('are NaN for a non-finite timestamp, like every calendar column', () => {
    expect(Object.values(row(Number.NaN, ['hour'], orders)).every(Number.isNaN)).toBe(true);
  });
});

describe('holiday flags', () => {
  it('mark the holiday, the day before and the day after', () => {
    expect(flagsOn(2024, 7, 4)).toEqual({ holiday: 1, bridge_day: 0, holiday_eve: 0, after_holiday: 0 });
    expect(flagsOn(2024, 7, 3)).toMatchObject({ holiday: 0, holiday_eve: 1, after_holiday: 0 });
    expect(flagsOn(2024, 12, 26)).toMatchObject({ holiday: 0, holiday_eve: 0, after_holiday: 1 });
    expect(flagsOn(2024, 3, 12)).toEqual({ holiday: 0, bridge_day: 0, holiday_eve: 0, after_holiday: 0 });
  });
  it('mark a working day between a holiday and the weekend as a bridge day', () => {
    expect(flagsOn(2024, 7, 5).bridge_day).toBe(1); // Friday after Thursday 4 July
    expect(flagsOn(2024, 11, 29).bridge_day).toBe(1); // Friday after Thanksgiving
    expect(flagsOn(2024, 12, 24).bridge_day).toBe(0); // Tuesday before a Wednesday: Monday is a working day
    expect(flagsOn(2024, 5, 28).bridge_day).toBe(0); // Tuesday after Memorial Day
    expect(flagsOn(2024, 7, 6).bridge_day).toBe(0); // a Saturday is a day off, not a bridge
  });
  it('refuse a day outside the calendar, naming it and the years covered', () => {
    expect(() => flagsOn(2025, 1, 2)).toThrow(DataError);
    expect(() => flagsOn(2025, 1, 2)).toThrow(
      /day 2025-01-02 is outside the holiday calendar of US \(2024–2024\)/,
    );
  });
  it('need a resolved calendar', () => {
    expect(() => createCalendarEncoder(['holiday'], {})).toThrow(ConfigError);
    expect(() => createCalendarEncoder(['holiday'], { holidays: { country: 'US' } })).toThrow(
      /no resolved dates/,
    );
  });
  it('are a config error without a holiday calendar, naming the field', () => {
    const r = PipelineConfigSchema.safeParse({ target: 'y', calendar: ['holiday'] });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['holidays']);
  });
});

describe('in the pipeline', () => {
  it('become feature columns and survive pipeline.json', () => {
    const config = PipelineConfigSchema.parse({
      target: 'y',
      period: '1D',
      horizon: 2,
      lookback: 3,
      calendar: ['day_of_year', 'holiday', 'bridge_day'],
      fourier: { week: 1 },
      holidays: US_2024,
    });
    const n = 10;
    const frame = {
      time: Float64Array.from({ length: n }, (_, i) => Date.UTC(2024, 6, 1) + i * DAY),
      columns: { y: Float64Array.from({ length: n }, (_, i) => i) },
    };
    const pipeline = fitPipeline(config, frame);
    expect(pipeline.layout.blocks.find((b) => b.kind === 'calendar')).toBeDefined();
    const back = pipelineFromJson(JSON.parse(JSON.stringify(pipelineToJson(pipeline))));
    expect(back.config.holidays).toEqual(US_2024);
    expect(back.config.fourier).toEqual({ day: 0, week: 1, year: 0 });
    const prepared = prepareFrame(back, frame);
    const holidayCol = prepared.calendar[2]!; // doy_sin, doy_cos, holiday, bridge_day, fourier_week_sin1, …
    expect(Array.from(holidayCol.subarray(0, 6))).toEqual([0, 0, 0, 1, 0, 0]); // 4 July is row 3
    expect(prepared.calendar[3]![4]).toBe(1); // 5 July, a bridge day
    expect(prepared.calendar.length).toBe(6);
  });
  it('old pipeline.json files without Fourier orders still load', () => {
    const config = PipelineConfigSchema.parse({ target: 'y' });
    expect(config.fourier).toEqual({ day: 0, week: 0, year: 0 });
    expect(config.holidays).toBeUndefined();
  });
});
