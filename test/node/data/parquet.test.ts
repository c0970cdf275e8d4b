/** Parquet written with hyparquet-writer loads to the same Frame as the equivalent CSV. */
import { type ColumnSource, parquetWriteBuffer } from 'hyparquet-writer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDuckDB, type LoadResult, loadData } from '../../../src/node/data/index.js';
import { ms, tempFiles } from './fixtures.js';

const files = tempFiles();
afterAll(async () => {
  await closeDuckDB();
  files.cleanup();
});

// Unsorted, one duplicated timestamp, one missing hour, one missing value.
const STAMPS = [
  '2024-03-01 02:00',
  '2024-03-01 00:00',
  '2024-03-01 01:00',
  '2024-03-01 01:00',
  '2024-03-01 04:00',
  '2024-03-01 05:00',
];
const LOAD = [12, 10, 11, 13, 14, null];
const TEMP = [2.5, 0.5, 1.5, 1.5, 4.5, 5.5];
const options = { timeColumn: 'time', columns: ['load', 'temp'] };

function writeParquet(name: string, time: ColumnSource): string {
  const buffer = parquetWriteBuffer({
    columnData: [
      time,
      { name: 'load', data: LOAD, type: 'DOUBLE', nullable: true },
      { name: 'temp', data: TEMP, type: 'DOUBLE' },
      { name: 'note', data: STAMPS.map(() => 'x'), type: 'STRING' },
    ],
    rowGroupSize: 4,
  });
  return files.file(name, new Uint8Array(buffer));
}

describe('Parquet', () => {
  let csv: LoadResult;

  beforeAll(async () => {
    const lines = STAMPS.map((s, i) => `${s},${LOAD[i] ?? ''},${TEMP[i]},x`);
    csv = await loadData(files.file('same.csv', ['time,load,temp,note', ...lines].join('\n')), options);
    expect(csv.report.duplicates.count).toBe(1);
    expect(csv.report.gaps.missingRows).toBe(1);
    expect(csv.report.invalidValues).toEqual({ load: 1, temp: 0 });
  });

  it.each([
    [
      'timestamps as strings',
      { name: 'time', data: STAMPS, type: 'STRING' } as ColumnSource,
      '%Y-%m-%d %H:%M',
    ],
    [
      'timestamps as int64 epoch ms',
      { name: 'time', data: STAMPS.map((s) => BigInt(ms(s))), type: 'INT64' } as ColumnSource,
      'epoch_ms',
    ],
    [
      'timestamps as TIMESTAMP',
      { name: 'time', data: STAMPS.map((s) => new Date(ms(s))), type: 'TIMESTAMP' } as ColumnSource,
      'timestamp',
    ],
  ])('with %s', async (name, time, format) => {
    const path = writeParquet(`${name.replace(/ /g, '-')}.parquet`, time);
    const { frame, table, report } = await loadData(path, options);
    expect(report.format).toBe('parquet');
    expect(report.timeFormat).toBe(format);
    expect(Array.from(frame.time)).toEqual(Array.from(csv.frame.time));
    expect(Array.from(frame.columns['load']!)).toEqual(Array.from(csv.frame.columns['load']!));
    expect(Array.from(frame.columns['temp']!)).toEqual(Array.from(csv.frame.columns['temp']!));
    const { file: _a, format: _b, timeFormat: _c, elapsedMs: _d, engine: _i, ...repairs } = report;
    const { file: _e, format: _f, timeFormat: _g, elapsedMs: _h, engine: _j, ...csvRepairs } = csv.report;
    expect(repairs).toEqual(csvRepairs);
    expect(table.numRows).toBe(csv.table.numRows);
    expect(table.getChild('load')!.toArray()).toEqual(csv.table.getChild('load')!.toArray());
  });

  it('names the available columns when one is missing', async () => {
    const path = writeParquet('columns.parquet', { name: 'time', data: STAMPS, type: 'STRING' });
    await expect(loadData(path, { timeColumn: 'time', columns: ['load', 'wind'] })).rejects.toThrow(
      `requested column "wind" not found in ${path}; available columns: "time", "load", "temp", "note"`,
    );
  });

  it('refuses a file that is not Parquet', async () => {
    const path = files.file('fake.parquet', 'time,load\n');
    await expect(loadData(path, options)).rejects.toThrow(/is not a readable Parquet file/);
  });
});
