/** Repair policies on small hand-written files: duplicates, gaps, invalid values, order, period. */
import { afterAll, describe, expect, it } from 'vitest';
import { closeDuckDB, loadData } from '../../../src/node/data/index.js';
import { ms, tempFiles } from './fixtures.js';

const files = tempFiles();
afterAll(async () => {
  await closeDuckDB();
  files.cleanup();
});

const values = (x: Float64Array | undefined) => Array.from(x ?? []);

describe('duplicates', () => {
  const path = files.file(
    'dups.csv',
    [
      'time,value,other',
      '2024-01-01 00:00,1,10',
      '2024-01-01 01:00,2,20',
      '2024-01-01 01:00,4,x',
      '2024-01-01 02:00,3,30',
      '2024-01-01 02:00,5,50',
      '2024-01-01 02:00,9,90',
    ].join('\n'),
  );
  const load = (duplicates: 'mean' | 'first' | 'last' | 'error') =>
    loadData(path, { timeColumn: 'time', columns: ['value', 'other'], duplicates, gaps: 'keep' });

  it('merges by mean of the valid values (default)', async () => {
    const { frame, report } = await loadData(path, {
      timeColumn: 'time',
      columns: ['value', 'other'],
      gaps: 'keep',
    });
    expect(values(frame.columns['value'])).toEqual([1, 3, 17 / 3]);
    expect(values(frame.columns['other'])).toEqual([10, 20, 170 / 3]);
    expect(report.duplicates).toEqual({
      count: 2,
      extraRows: 3,
      policy: 'mean',
      examples: ['2024-01-01 01:00 (2 rows)', '2024-01-01 02:00 (3 rows)'],
    });
    expect(report.invalidValues).toEqual({ value: 0, other: 1 });
    expect(report.rowsRead).toBe(6);
    expect(report.rowsOut).toBe(3);
    expect(report.actions).toContain(
      'merged 2 duplicated timestamps (3 extra rows) by mean, e.g. 2024-01-01 01:00 (2 rows), 2024-01-01 02:00 (3 rows)',
    );
  });

  it('keeps the first row in file order', async () => {
    const { frame } = await load('first');
    expect(values(frame.columns['value'])).toEqual([1, 2, 3]);
    expect(values(frame.columns['other'])).toEqual([10, 20, 30]);
  });

  it('keeps the last row in file order, invalid values included', async () => {
    const { frame } = await load('last');
    expect(values(frame.columns['value'])).toEqual([1, 4, 9]);
    expect(values(frame.columns['other'])).toEqual([10, Number.NaN, 90]);
  });

  it('fails under "error" with the first examples', async () => {
    await expect(load('error')).rejects.toThrow(
      /2 timestamps in column "time" occur more than once, e\.g\. 2024-01-01 01:00 \(2 rows\), 2024-01-01 02:00 \(3 rows\)/,
    );
  });
});

describe('gaps', () => {
  const path = files.file(
    'gaps.csv',
    [
      'time,value',
      '2024-01-01 00:00,0',
      '2024-01-01 01:00,1',
      '2024-01-01 04:00,4',
      '2024-01-01 05:00,5',
      '2024-01-01 07:00,7',
    ].join('\n'),
  );

  it('inserts and interpolates missing rows (default)', async () => {
    const { frame, report } = await loadData(path, { timeColumn: 'time', columns: ['value'] });
    expect(values(frame.columns['value'])).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(values(frame.time)).toEqual(
      [0, 1, 2, 3, 4, 5, 6, 7].map((h) => ms('2024-01-01 00:00') + h * 3_600_000),
    );
    expect(report.period).toBe('1h');
    expect(report.periodInferred).toBe(true);
    expect(report.gaps).toEqual({
      count: 2,
      missingRows: 3,
      policy: 'interpolate',
      examples: ['2024-01-01 02:00 (2 rows)', '2024-01-01 06:00 (1 row)'],
    });
    expect(report.filled).toEqual({ value: 3 });
    expect(report.actions).toEqual([
      'inserted 3 missing rows in 2 gaps of the 1h grid, e.g. 2024-01-01 02:00 (2 rows), 2024-01-01 06:00 (1 row)',
      'interpolated 3 NaN values in "value" linearly',
    ]);
  });

  it('keeps missing rows as NaN under "keep"', async () => {
    const { frame, report } = await loadData(path, { timeColumn: 'time', columns: ['value'], gaps: 'keep' });
    expect(values(frame.columns['value'])).toEqual([0, 1, Number.NaN, Number.NaN, 4, 5, Number.NaN, 7]);
    expect(report.filled).toEqual({ value: 0 });
    expect(report.actions[0]).toContain('as NaN');
  });

  it('fails under "error" with the first gaps', async () => {
    await expect(loadData(path, { timeColumn: 'time', columns: ['value'], gaps: 'error' })).rejects.toThrow(
      '3 periods missing from column "time" in 2 gaps at period 1h, e.g. 2024-01-01 02:00 (2 rows), 2024-01-01 06:00 (1 row)',
    );
  });

  it('uses a given period and says so', async () => {
    const { frame, report } = await loadData(path, {
      timeColumn: 'time',
      columns: ['value'],
      period: '30min',
    });
    expect(report.period).toBe('30min');
    expect(report.periodInferred).toBe(false);
    expect(frame.time.length).toBe(15);
    expect(report.gaps.missingRows).toBe(10);
    expect(frame.columns['value']![1]).toBe(0.5);
  });

  it('refuses timestamps off the period grid', async () => {
    await expect(loadData(path, { timeColumn: 'time', columns: ['value'], period: '2h' })).rejects.toThrow(
      /3 timestamps in column "time" fall between the 2h steps .* e\.g\. 2024-01-01 01:00, 2024-01-01 05:00, 2024-01-01 07:00/,
    );
  });
});

describe('invalid values', () => {
  const rows = [
    '2024-01-01 00:00,1,1',
    '2024-01-01 01:00,n/a,2',
    '2024-01-01 02:00,,3',
    '2024-01-01 03:00,4,inf',
    '2024-01-01 04:00,5,5',
  ];
  const path = files.file('invalid.csv', ['time,a,b', ...rows].join('\n'));

  it('counts them, sets them to NaN and interpolates them', async () => {
    const { frame, report } = await loadData(path, { timeColumn: 'time', columns: ['a', 'b'] });
    expect(report.invalidValues).toEqual({ a: 2, b: 1 });
    expect(report.filled).toEqual({ a: 2, b: 1 });
    expect(values(frame.columns['a'])).toEqual([1, 2, 3, 4, 5]);
    expect(values(frame.columns['b'])).toEqual([1, 2, 3, 4, 5]);
    expect(report.actions).toEqual([
      'set 2 invalid values in "a" to NaN, first at row 2: "n/a"',
      'interpolated 2 NaN values in "a" linearly',
      'set 1 invalid value in "b" to NaN, first at row 4: "inf"',
      'interpolated 1 NaN value in "b" linearly',
    ]);
  });

  it('leaves them NaN under gaps "keep"', async () => {
    const { frame } = await loadData(path, { timeColumn: 'time', columns: ['a'], gaps: 'keep' });
    expect(values(frame.columns['a'])).toEqual([1, Number.NaN, Number.NaN, 4, 5]);
  });

  it('leaves values missing at the ends as NaN (future rows), and says so', async () => {
    const edge = files.file(
      'edge.csv',
      ['time,a', '2024-01-01 00:00,', '2024-01-01 01:00,2', '2024-01-01 02:00,3', '2024-01-01 03:00,-'].join(
        '\n',
      ),
    );
    const { frame, report } = await loadData(edge, { timeColumn: 'time', columns: ['a'] });
    expect(values(frame.columns['a'])).toEqual([Number.NaN, 2, 3, Number.NaN]);
    expect(report.actions).toContain(
      'left 2 missing values at the start or end of "a" as NaN (nothing to interpolate towards)',
    );
    expect(report.actions).toContain('set 2 invalid values in "a" to NaN, first at row 1: (empty)');
  });
});

describe('order and formats', () => {
  it('sorts reversed rows and counts them', async () => {
    const path = files.file(
      'reversed.csv',
      ['time,v', '2024-01-01 03:00,3', '2024-01-01 02:00,2', '2024-01-01 01:00,1', '2024-01-01 00:00,0'].join(
        '\n',
      ),
    );
    const { frame, report } = await loadData(path, { timeColumn: 'time', columns: ['v'] });
    expect(report.outOfOrder).toBe(3);
    expect(report.sorted).toBe(true);
    expect(report.actions).toEqual(['sorted 4 rows by time (3 were earlier than the row before)']);
    expect(values(frame.columns['v'])).toEqual([0, 1, 2, 3]);
  });

  it('reads TSV, semicolon-delimited .txt and quoted CSV alike', async () => {
    const rows = [
      ['2024-01-01 00:00', '1.5'],
      ['2024-01-01 01:00', '2.5'],
    ];
    const tsv = files.file('data.tsv', ['time\tload', ...rows.map((r) => r.join('\t'))].join('\n'));
    const txt = files.file('data.txt', ['time;load', ...rows.map((r) => r.join(';'))].join('\n'));
    const csv = files.file(
      'quoted.csv',
      ['"time","load"', ...rows.map((r) => `"${r[0]}","${r[1]}"`)].join('\r\n'),
    );
    for (const [path, format] of [
      [tsv, 'tsv'],
      [txt, 'csv'],
      [csv, 'csv'],
    ] as const) {
      const { frame, report } = await loadData(path, { timeColumn: 'time', columns: ['load'] });
      expect(report.format).toBe(format);
      expect(values(frame.columns['load'])).toEqual([1.5, 2.5]);
      expect(values(frame.time)).toEqual([ms('2024-01-01 00:00'), ms('2024-01-01 01:00')]);
    }
  });

  it('lets concurrent loads share the one duckdb instance', async () => {
    const a = files.file('a.csv', 'time,v\n2024-01-01 00:00,1\n2024-01-01 01:00,2\n');
    const b = files.file('b.csv', 'time,v\n2024-01-02 00:00,10\n2024-01-02 00:00,20\n2024-01-02 01:00,30\n');
    const [ra, rb] = await Promise.all([
      loadData(a, { timeColumn: 'time', columns: ['v'] }),
      loadData(b, { timeColumn: 'time', columns: ['v'] }),
    ]);
    expect(values(ra.frame.columns['v'])).toEqual([1, 2]);
    expect(values(rb.frame.columns['v'])).toEqual([15, 30]);
  });
});
