/** Request data → Frame: every rejection names its field; known-ahead rows may leave the target empty. */
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/runtime/errors.js';
import { columnsFromArrowIpc } from '../../../src/runtime/input/arrow.js';
import {
  frameFromColumns,
  frameFromRecords,
  parseTimestamp,
} from '../../../src/runtime/input/frame-input.js';
import { PipelineConfigSchema } from '../../../src/runtime/schemas/pipeline-config.js';

const config = PipelineConfigSchema.parse({
  target: 'y',
  period: '1h',
  horizon: 3,
  lookback: 4,
  exogenous: ['temp'],
});
const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const iso = (i: number) => new Date(T0 + i * HOUR).toISOString().slice(0, 19);

/** 4 rows of history, then 3 known-ahead rows without the target. */
const rows = () =>
  Array.from({ length: 7 }, (_, i) => ({
    timestamp: iso(i),
    y: i < 4 ? 10 + i : null,
    temp: 20 + i,
    extra: 'ignored',
  }));

function rejects(run: () => unknown, path: string, message: RegExp): void {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).context['path']).toBe(path);
    expect((error as DataError).message).toMatch(message);
    expect((error as DataError).message.startsWith(`${path}: `)).toBe(true);
    return;
  }
  throw new Error('expected a DataError');
}

describe('frameFromRecords', () => {
  it('builds the frame: wall-clock time, targets NaN after their last value, unused columns dropped', () => {
    const frame = frameFromRecords(rows(), config);
    expect(Array.from(frame.time)).toEqual(Array.from({ length: 7 }, (_, i) => T0 + i * HOUR));
    expect(Array.from(frame.columns['y']!.subarray(0, 4))).toEqual([10, 11, 12, 13]);
    expect(frame.columns['y']!.subarray(4).every(Number.isNaN)).toBe(true);
    expect(Object.keys(frame.columns)).toEqual(['y', 'temp']);
  });

  it('accepts epoch ms, naive and zoned ISO timestamps alike', () => {
    expect(parseTimestamp(T0)).toBe(T0);
    expect(parseTimestamp('2024-01-01 00:00')).toBe(T0);
    expect(parseTimestamp('2024-01-01T01:00:00+01:00')).toBe(T0);
    expect(parseTimestamp('yesterday')).toBeNaN();
    expect(parseTimestamp(true)).toBeNaN();
  });

  it('names the field of each problem', () => {
    const r = rows;
    rejects(() => frameFromRecords([], config), 'records', /no rows/);
    rejects(
      () =>
        frameFromRecords(
          r().map(({ temp: _t, ...x }) => x),
          config,
        ),
      'records',
      /missing column "temp"/,
    );
    rejects(
      () =>
        frameFromRecords(
          r().map((x, i) => (i === 2 ? { ...x, timestamp: 'soon' } : x)),
          config,
        ),
      'records[2].timestamp',
      /ISO 8601/,
    );
    rejects(
      () =>
        frameFromRecords(
          r().map((x, i) => (i === 3 ? { ...x, timestamp: iso(2) } : x)),
          config,
        ),
      'records[3].timestamp',
      /duplicated/,
    );
    rejects(
      () =>
        frameFromRecords(
          r().map((x, i) => (i === 3 ? { ...x, timestamp: iso(1) } : x)),
          config,
        ),
      'records[3].timestamp',
      /must increase/,
    );
    rejects(
      () =>
        frameFromRecords(
          r().map((x, i) => (i === 3 ? { ...x, timestamp: iso(4) } : x)),
          config,
        ),
      'records[3].timestamp',
      /expected 2024-01-01T03:00:00/,
    );
    rejects(
      () =>
        frameFromRecords(
          r().map((x, i) => (i === 1 ? { ...x, y: 'NaN' } : x)),
          config,
        ),
      'records[1].y',
      /finite number, got "NaN"/,
    );
    rejects(
      () =>
        frameFromRecords(
          r().map((x, i) => (i === 1 ? { ...x, y: Number.POSITIVE_INFINITY } : x)),
          config,
        ),
      'records[1].y',
      /got Infinity/,
    );
    rejects(
      () =>
        frameFromRecords(
          r().map((x, i) => (i === 1 ? { ...x, y: null } : x)),
          config,
        ),
      'records[1].y',
      /only allowed after its last known value/,
    );
    rejects(
      () =>
        frameFromRecords(
          r().map((x, i) => (i === 5 ? { ...x, temp: null } : x)),
          config,
        ),
      'records[5].temp',
      /covariates must be present/,
    );
    rejects(() => frameFromRecords(r().slice(1), config), 'records', /need at least 4 rows of history/);
    rejects(
      () => frameFromRecords(r().slice(0, 6), config),
      'records',
      /"temp" need 3 rows after the last target value, got 2/,
    );
  });
});

describe('frameFromColumns and Arrow IPC', () => {
  it('reads an Arrow stream with timestamps and nulls into the same frame as the records', () => {
    const r = rows();
    const table = tableFromArrays({
      timestamp: r.map((x) => new Date(`${x.timestamp}Z`)),
      y: r.map((x) => x.y),
      temp: Float64Array.from(r, (x) => x.temp),
    });
    const fromArrow = frameFromColumns(columnsFromArrowIpc(tableToIPC(table, 'stream')), config);
    expect(fromArrow).toEqual(frameFromRecords(r, config));
  });

  it('names columns by `name[row]` and rejects bytes that are not Arrow', () => {
    const columns = { timestamp: [iso(0), iso(1)], y: [1, 'x'], temp: [1, 2] };
    rejects(() => frameFromColumns(columns, config), 'y[1]', /finite number/);
    rejects(
      () => frameFromColumns({ ...columns, temp: [1] }, config),
      'temp',
      /has 1 values but "timestamp" has 2/,
    );
    expect(() => columnsFromArrowIpc(new TextEncoder().encode('nope'))).toThrow(/body: not an Arrow IPC/);
  });
});
