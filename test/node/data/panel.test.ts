/** Panel loads: long format by id, a wide file melted, per-series repairs, short series skipped, bad ids refused. */
import { afterAll, describe, expect, it } from 'vitest';
import { closeDuckDB, loadData, loadPanel } from '../../../src/node/data/index.js';
import { tempFiles } from './fixtures.js';

const files = tempFiles();
afterAll(async () => {
  await closeDuckDB();
  files.cleanup();
});

const hours = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => `2024-01-01 ${String(from + i).padStart(2, '0')}:00`);

describe('long format', () => {
  const rows = [
    'store,time,y,temp',
    // series a: unsorted, one duplicate
    ...hours(6)
      .map((t, i) => `a,${t},${i},${10 + i}`)
      .reverse(),
    'a,2024-01-01 02:00,4,12',
    // series b: a gap at 03:00
    ...hours(6)
      .filter((_, i) => i !== 3)
      .map((t, i) => `b,${t},${100 + i},${20 + i}`),
    // series c: too short
    ...hours(2).map((t, i) => `c,${t},${i},${i}`),
  ];
  const path = files.file('panel.csv', rows.join('\n'));

  it('repairs and reports each series on its own; a short series is skipped and reported', async () => {
    const { series, report } = await loadPanel(path, {
      idColumn: 'store',
      timeColumn: 'time',
      columns: ['y', 'temp'],
      minRows: 4,
    });
    expect(series.map((s) => s.id)).toEqual(['a', 'b']);
    expect(report.seriesRead).toBe(3);
    expect(report.rowsRead).toBe(rows.length - 1);
    const a = report.series['a']!;
    expect(a.sorted).toBe(true);
    expect(a.duplicates.count).toBe(1);
    expect(a.gaps.count).toBe(0);
    const b = report.series['b']!;
    expect(b.sorted).toBe(false);
    expect(b.gaps).toMatchObject({ count: 1, missingRows: 1 });
    expect(Array.from(series[1]!.frame.columns['y']!)).toEqual([100, 101, 102, 102.5, 103, 104]);
    expect(report.skipped).toEqual([
      { id: 'c', rows: 2, reason: expect.stringContaining('fewer than the 4 a window needs') },
    ]);
  });

  it('refuses a path-like series id, naming it', async () => {
    const bad = files.file('bad-id.csv', ['id,time,y', ...hours(3).map((t) => `../x,${t},1`)].join('\n'));
    await expect(loadPanel(bad, { idColumn: 'id', timeColumn: 'time', columns: ['y'] })).rejects.toThrow(
      /series id "..\/x" in column "id" contains a path separator/,
    );
  });

  it('names an empty id and its row', async () => {
    const bad = files.file(
      'empty-id.csv',
      ['id,time,y', 'a,2024-01-01 00:00,1', ',2024-01-01 01:00,2'].join('\n'),
    );
    await expect(loadPanel(bad, { idColumn: 'id', timeColumn: 'time', columns: ['y'] })).rejects.toThrow(
      /id column "id" is empty at row 2/,
    );
  });
});

describe('clean series (read in one query)', () => {
  it('give the frame and report the single-series load gives', async () => {
    const clean = hours(8).map((t, i) => `${t},${i * 1.5}`);
    const panel = files.file(
      'clean.csv',
      ['id,time,y', ...clean.map((l) => `x,${l}`), ...clean.map((l) => `z,${l}`)].join('\n'),
    );
    const single = files.file('single.csv', ['time,y', ...clean].join('\n'));
    const { series } = await loadPanel(panel, { idColumn: 'id', timeColumn: 'time', columns: ['y'] });
    const alone = await loadData(single, { timeColumn: 'time', columns: ['y'] });
    const strip = ({ file: _f, elapsedMs: _e, ...rest }: typeof alone.report) => rest;
    expect(series.map((s) => s.id)).toEqual(['x', 'z']);
    expect(strip(series[0]!.report)).toEqual(strip(alone.report));
    expect(Array.from(series[1]!.frame.time)).toEqual(Array.from(alone.frame.time));
    expect(Array.from(series[1]!.frame.columns['y']!)).toEqual(Array.from(alone.frame.columns['y']!));
    expect(series[0]!.table.numRows).toBe(8);
  });
});

describe('wide files', () => {
  it('melts one column per series, with shared columns copied to each', async () => {
    const path = files.file(
      'wide.csv',
      ['time,north,south,temp', ...hours(4).map((t, i) => `${t},${i},${10 * i},${i + 0.5}`)].join('\n'),
    );
    const { series, report } = await loadPanel(path, {
      idColumn: 'unique_id',
      timeColumn: 'time',
      columns: ['y', 'temp'],
      melt: ['north', 'south'],
    });
    expect(report.melted).toEqual(['north', 'south']);
    expect(series.map((s) => s.id)).toEqual(['north', 'south']);
    expect(Array.from(series[1]!.frame.columns['y']!)).toEqual([0, 10, 20, 30]);
    expect(Array.from(series[1]!.frame.columns['temp']!)).toEqual([0.5, 1.5, 2.5, 3.5]);
  });
});
