/** The supported time range: its bounds, the check's message, and the entry points in the runtime that call it. */
import { describe, expect, it } from 'vitest';
import { addDuration } from '../../src/runtime/calendar-duration.js';
import { timeColumn } from '../../src/runtime/drift/monitor-input.js';
import { DataError } from '../../src/runtime/errors.js';
import { frameFromColumns } from '../../src/runtime/input/frame-input.js';
import { PipelineConfigSchema } from '../../src/runtime/schemas/pipeline-config.js';
import { formatTimestamp } from '../../src/runtime/time-format.js';
import {
  checkForecastInRange,
  checkTimeInRange,
  isInTimeRange,
  MAX_TIME_MS,
  MIN_TIME_MS,
} from '../../src/runtime/time-range.js';

const config = PipelineConfigSchema.parse({ target: 'load', period: '1h', horizon: 3, lookback: 2 });

describe('supported time range', () => {
  it("is pandas' datetime64[ns] range rounded inward to whole ms", () => {
    expect(new Date(MIN_TIME_MS).toISOString()).toBe('1677-09-21T00:12:43.146Z');
    expect(new Date(MAX_TIME_MS).toISOString()).toBe('2262-04-11T23:47:16.854Z');
    expect([MIN_TIME_MS, MAX_TIME_MS, 0].every(isInTimeRange)).toBe(true);
    expect([MIN_TIME_MS - 1, MAX_TIME_MS + 1, Number.NaN, Infinity, 8.64e15 + 1].some(isInTimeRange)).toBe(
      false,
    );
  });

  it('names the path, the value and the range', () => {
    expect(() => checkTimeInRange(8640000000000001, 'records[3].timestamp')).toThrow(
      /^records\[3\]\.timestamp: timestamp 8640000000000001 is outside the supported range 1677-09-21T00:12:43\.146 … 2262-04-11T23:47:16\.854/,
    );
    expect(() => checkForecastInRange(MAX_TIME_MS - 3_600_000, 3_600_000, 2, 'x')).toThrow(DataError);
    expect(() => checkForecastInRange(MAX_TIME_MS - 7_200_000, 3_600_000, 2, 'x')).not.toThrow();
  });

  it('formatTimestamp and addDuration never overflow into a RangeError', () => {
    expect(() => formatTimestamp(8.64e15 + 1)).toThrow(DataError);
    expect(() => addDuration(MAX_TIME_MS - 86_400_000, '1M')).toThrow(DataError);
    expect(() => addDuration(MAX_TIME_MS - 86_400_000, '2D')).toThrow(/outside the supported range/);
    expect(addDuration(Date.UTC(2024, 0, 31), '1M')).toBe(Date.UTC(2024, 1, 29));
  });

  it('columns: out-of-range epoch ms, bigint timestamps and bigint values are DataErrors naming the field', () => {
    const base = Date.UTC(2024, 0, 1);
    const time = [base, base + 3_600_000, base + 7_200_000];
    const frame =
      (t: unknown[], load: unknown[] = [1, 2, 3]) =>
      () =>
        frameFromColumns({ timestamp: t, load }, config);
    expect(frame([...time.slice(0, 2), 2 ** 53 + 1])).toThrow(
      /^timestamp\[2\]: timestamp 9007199254740992 is outside/,
    );
    expect(frame(time.map(BigInt))).not.toThrow();
    expect(frame(time, [1, 2, 3n])).toThrow(/^load\[2\]: expected a finite number, got 3n/);
    const near = [0, 1, 2].map((i) => MAX_TIME_MS - (3 - i) * 3_600_000);
    expect(frame(near)).toThrow(
      /^timestamp\[2\]: a forecast of 3 steps after the last timestamp would end past/,
    );
  });

  it('the performance monitor time column', () => {
    expect(() => timeColumn([{ t: 0 }, { t: -8.64e15 - 1 }], 't', 'performance data')).toThrow(
      /performance data: timestamp t\[1\]: timestamp -8640000000000001 is outside the supported range/,
    );
  });
});
