/** Calendar features on known dates, day/night at known places, and the matrix layout. */
import { getPosition } from 'suncalc';
import { describe, expect, it } from 'vitest';
import { ConfigError, DataError } from '../../../src/runtime/errors.js';
import {
  type CalendarOptions,
  calendarFeatureNames,
  calendarMatrix,
  calendarWidth,
  createCalendarEncoder,
  writeCalendarFeatures,
} from '../../../src/runtime/features/calendar.js';
import type { CalendarFeature } from '../../../src/runtime/schemas/pipeline-config.js';

const TAU = 2 * Math.PI;

/** Features of one wall-clock time, as a name → value record. */
function row(time: number, features: CalendarFeature[], opts: CalendarOptions = {}): Record<string, number> {
  const enc = createCalendarEncoder(features, opts);
  const out = new Float64Array(enc.width);
  enc.write([time], out);
  return Object.fromEntries(enc.names.map((n, i) => [n, out[i]!]));
}

describe('names and width', () => {
  it('expands cyclic features to sin/cos pairs, in order', () => {
    const all: CalendarFeature[] = ['hour', 'day_of_week', 'month', 'weekend', 'day_night'];
    expect(calendarFeatureNames(all)).toEqual([
      'hour_sin',
      'hour_cos',
      'dow_sin',
      'dow_cos',
      'month_sin',
      'month_cos',
      'weekend',
      'day_night',
    ]);
    expect(calendarWidth(all)).toBe(8);
    expect(calendarWidth([])).toBe(0);
  });

  it('rejects unknown features', () => {
    expect(() => calendarFeatureNames(['hours' as CalendarFeature])).toThrow(ConfigError);
  });
});

describe('day of week and weekend (Monday = 0)', () => {
  it('2024-01-06 is a Saturday (5), 2024-01-07 a Sunday (6), 2024-01-08 a Monday (0)', () => {
    const sat = row(Date.UTC(2024, 0, 6, 15), ['day_of_week', 'weekend']);
    expect(sat.dow_sin).toBeCloseTo(Math.sin((TAU * 5) / 7), 15);
    expect(sat.dow_cos).toBeCloseTo(Math.cos((TAU * 5) / 7), 15);
    expect(sat.weekend).toBe(1);
    const sun = row(Date.UTC(2024, 0, 7, 23, 59), ['day_of_week', 'weekend']);
    expect(sun.dow_sin).toBeCloseTo(Math.sin((TAU * 6) / 7), 15);
    expect(sun.weekend).toBe(1);
    const mon = row(Date.UTC(2024, 0, 8), ['day_of_week', 'weekend']);
    expect([mon.dow_sin, mon.dow_cos, mon.weekend]).toEqual([0, 1, 0]);
  });

  it('works before 1970: 1969-12-31 was a Wednesday (2)', () => {
    const wed = row(Date.UTC(1969, 11, 31, 12), ['day_of_week', 'weekend']);
    expect(wed.dow_sin).toBeCloseTo(Math.sin((TAU * 2) / 7), 15);
    expect(wed.weekend).toBe(0);
  });
});

describe('hour (hour + minute/60)', () => {
  it('06:00 → sin 1; 18:00 → sin −1; 00:00 → cos 1; 06:30 → 2π·6.5/24', () => {
    expect(row(Date.UTC(2024, 2, 15, 6), ['hour']).hour_sin).toBe(1);
    expect(row(Date.UTC(2024, 2, 15, 6), ['hour']).hour_cos).toBeCloseTo(0, 15);
    expect(row(Date.UTC(2024, 2, 15, 18), ['hour']).hour_sin).toBeCloseTo(-1, 15);
    expect(row(Date.UTC(2024, 2, 15, 0), ['hour'])).toEqual({ hour_sin: 0, hour_cos: 1 });
    const half = row(Date.UTC(2024, 2, 15, 6, 30), ['hour']);
    expect(half.hour_sin).toBeCloseTo(Math.sin((TAU * 6.5) / 24), 15);
    expect(half.hour_cos).toBeCloseTo(Math.cos((TAU * 6.5) / 24), 15);
  });

  it('ignores seconds', () => {
    expect(row(Date.UTC(2024, 2, 15, 6, 30, 59, 999), ['hour'])).toEqual(
      row(Date.UTC(2024, 2, 15, 6, 30), ['hour']),
    );
  });
});

describe('month ((month − 1)/12)', () => {
  it('January → angle 0; March → π/3; December → 11π/6; 2024-02-29 is February', () => {
    expect(row(Date.UTC(2024, 0, 31, 23), ['month'])).toEqual({ month_sin: 0, month_cos: 1 });
    const mar = row(Date.UTC(2024, 2, 1), ['month']);
    expect(mar.month_sin).toBeCloseTo(Math.sqrt(3) / 2, 15);
    expect(mar.month_cos).toBeCloseTo(0.5, 15);
    const dec = row(Date.UTC(2023, 11, 31, 23, 59), ['month']);
    expect(dec.month_sin).toBeCloseTo(-0.5, 15);
    expect(dec.month_cos).toBeCloseTo(Math.sqrt(3) / 2, 15);
    expect(row(Date.UTC(2024, 1, 29, 12), ['month']).month_sin).toBeCloseTo(Math.sin(TAU / 12), 15);
  });

  it('agrees with Date.getUTC* for every day 1899–2101 (and an hour later)', () => {
    const enc = createCalendarEncoder(['hour', 'day_of_week', 'month']);
    const start = Date.UTC(1899, 0, 1);
    const days = Math.round((Date.UTC(2102, 0, 1) - start) / 86_400_000);
    const times = Float64Array.from(
      { length: days },
      (_, i) => start + i * 86_400_000 + (i % 24) * 3_600_000,
    );
    const out = new Float64Array(days * enc.width);
    enc.write(times, out);
    const wrong: string[] = [];
    for (let i = 0; i < days; i++) {
      const d = new Date(times[i]!);
      const dow = (d.getUTCDay() + 6) % 7;
      const k = i * enc.width;
      if (
        out[k] !== Math.sin((TAU * d.getUTCHours()) / 24) ||
        out[k + 2] !== Math.sin((TAU * dow) / 7) ||
        out[k + 4] !== Math.sin((TAU * d.getUTCMonth()) / 12)
      ) {
        wrong.push(d.toISOString());
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('day_night', () => {
  const london = { latitude: 51.5, longitude: -0.12, utcOffsetHours: 0 };
  const tromso = { latitude: 69.65, longitude: 18.96, utcOffsetHours: 0 };

  it('London: noon in June is day, midnight is night', () => {
    expect(row(Date.UTC(2024, 5, 21, 12), ['day_night'], london).day_night).toBe(1);
    expect(row(Date.UTC(2024, 5, 21, 0), ['day_night'], london).day_night).toBe(0);
  });

  it('Tromsø (69.65° N): midnight sun in June, polar night at noon in December', () => {
    expect(row(Date.UTC(2024, 5, 21, 0), ['day_night'], tromso).day_night).toBe(1);
    expect(row(Date.UTC(2024, 11, 21, 11), ['day_night'], tromso).day_night).toBe(0);
  });

  it('reads wall-clock time through utcOffsetHours', () => {
    // New York, 2024-01-15 12:00 local standard time = 17:00 UTC (sun ≈ 28° up); read as UTC
    // the same wall clock would be 07:00 EST, before sunrise (sun ≈ −3.4°).
    const noon = Date.UTC(2024, 0, 15, 12);
    const ny = { latitude: 40.71, longitude: -74.0 };
    expect(row(noon, ['day_night'], { ...ny, utcOffsetHours: -5 }).day_night).toBe(1);
    expect(row(noon, ['day_night'], { ...ny, utcOffsetHours: 0 }).day_night).toBe(0);
    // Sydney, 2024-06-21 12:00 AEST (+10) = 02:00 UTC: day; the same wall clock read as UTC is night.
    const syd = { latitude: -33.87, longitude: 151.21 };
    const sydNoon = Date.UTC(2024, 5, 21, 12);
    expect(row(sydNoon, ['day_night'], { ...syd, utcOffsetHours: 10 }).day_night).toBe(1);
    expect(row(sydNoon, ['day_night'], { ...syd, utcOffsetHours: 0 }).day_night).toBe(0);
  });

  it('matches suncalc over a year of hours, including cached repeats', () => {
    const enc = createCalendarEncoder(['day_night'], { ...london, utcOffsetHours: 1 });
    const start = Date.UTC(2024, 0, 1);
    const times = Float64Array.from({ length: 2 * 8784 }, (_, i) => start + (i % 8784) * 3_600_000);
    const out = new Float64Array(times.length);
    enc.write(times, out);
    const wrong: number[] = [];
    for (let i = 0; i < times.length; i++) {
      const alt = getPosition(new Date(times[i]! - 3_600_000), 51.5, -0.12).altitude;
      if (out[i] !== (alt > 0 ? 1 : 0)) wrong.push(i);
    }
    expect(wrong).toEqual([]);
    // about half the hours of a year are daylight
    const dayShare = out.reduce((a, b) => a + b, 0) / out.length;
    expect(dayShare).toBeGreaterThan(0.45);
    expect(dayShare).toBeLessThan(0.55);
  });

  it('computes sub-minute instants exactly (they bypass the minute cache)', () => {
    // 2024-06-21 around London sunrise (≈ 03:43 UTC): sweep seconds across the altitude-0 crossing
    const enc = createCalendarEncoder(['day_night'], london);
    const times = Float64Array.from({ length: 1200 }, (_, i) => Date.UTC(2024, 5, 21, 3, 40) + i * 1500);
    const out = new Float64Array(times.length);
    enc.write(times, out);
    const expected = Array.from(times, (t) => (getPosition(new Date(t), 51.5, -0.12).altitude > 0 ? 1 : 0));
    expect(Array.from(out)).toEqual(expected);
    expect(expected[0]).toBe(0);
    expect(expected.at(-1)).toBe(1);
  });

  it('needs latitude and longitude', () => {
    expect(() => createCalendarEncoder(['day_night'], { latitude: 51.5 })).toThrow(ConfigError);
    expect(() => createCalendarEncoder(['hour'])).not.toThrow();
  });
});

describe('matrix layout', () => {
  it('writes at offset + i·stride and leaves other cells alone', () => {
    // 3 rows of 6 cells: [x, x, hour_sin, hour_cos, weekend, x]
    const out = new Float64Array(18).fill(-9);
    const times = [Date.UTC(2024, 0, 6, 0), Date.UTC(2024, 0, 8, 6), Number.NaN];
    writeCalendarFeatures(times, ['hour', 'weekend'], { utcOffsetHours: 0 }, out, 2, 6);
    expect(Array.from(out.subarray(0, 6))).toEqual([-9, -9, 0, 1, 1, -9]);
    expect(out[8]).toBe(1);
    expect(out[10]).toBe(0);
    expect(Array.from(out.subarray(12, 18))).toEqual([-9, -9, NaN, NaN, NaN, -9]);
  });

  it('calendarMatrix gives the same values column by column', () => {
    const features: CalendarFeature[] = ['hour', 'day_of_week', 'month', 'weekend', 'day_night'];
    const opts = { latitude: 51.5, longitude: -0.12, utcOffsetHours: 1 };
    const times = Float64Array.from({ length: 50 }, (_, i) => Date.UTC(2024, 2, 30) + i * 3_600_000);
    times[7] = Number.NaN;
    const rows = new Float64Array(times.length * 8);
    writeCalendarFeatures(times, features, opts, rows, 0, 8);
    const cols = calendarMatrix(times, features, opts);
    expect(cols).toHaveLength(8);
    for (let c = 0; c < 8; c++) {
      expect(Array.from(cols[c]!)).toEqual(Array.from(times, (_, i) => rows[i * 8 + c]));
    }
    expect(calendarMatrix([], ['hour'])).toEqual([new Float64Array(0), new Float64Array(0)]);
  });

  it('refuses rows that would not fit, instead of dropping writes', () => {
    const enc = createCalendarEncoder(['hour', 'weekend']);
    expect(() => enc.write([0, 0], new Float64Array(5))).toThrow(DataError);
    expect(() => enc.write([0, 0], new Float64Array(10), 0, 2)).toThrow(/stride 2, width 3/);
    expect(() => enc.write([], new Float64Array(0))).not.toThrow();
  });
});
