/** Time-format detection from samples, overrides, epochs, and day/month settled by the whole column. */
import { afterAll, describe, expect, it } from 'vitest';
import {
  closeDuckDB,
  detectTimeFormat,
  formatPeriod,
  formatTimestamp,
  loadData,
} from '../../../src/node/data/index.js';
import { ms, tempFiles } from './fixtures.js';

const files = tempFiles();
afterAll(async () => {
  await closeDuckDB();
  files.cleanup();
});

const pattern = (sample: string[]) => {
  const found = detectTimeFormat(sample);
  return found.kind === 'found' && found.format.kind === 'strptime' ? found.format.pattern : found;
};

describe('detectTimeFormat', () => {
  it.each([
    [['2016-07-01 00:00:00', '2016-07-01 01:00:00'], '%Y-%m-%d %H:%M:%S'],
    [['2016-07-01 00:00'], '%Y-%m-%d %H:%M'],
    [['2016-07-01T00:00'], '%Y-%m-%dT%H:%M'],
    [['2016-07-01T00:00:00Z'], '%Y-%m-%dT%H:%M:%SZ'],
    [['2016-07-01 00:00:00.250'], '%Y-%m-%d %H:%M:%S.%f'],
    [['2016-07-01'], '%Y-%m-%d'],
    [['31-12-2002 01:00', '01-01-2003 00:00'], '%d-%m-%Y %H:%M'],
    [['31/12/2002 01:00'], '%d/%m/%Y %H:%M'],
    [['31.12.2002 01:00'], '%d.%m.%Y %H:%M'],
    [['12/31/2002 01:00', '01/01/2003 00:00'], '%m/%d/%Y %H:%M'],
    [['20160701', '20160702'], '%Y%m%d'],
  ])('%j reads as %s', (sample, expected) => {
    expect(pattern(sample)).toBe(expected);
  });

  it('proves day-first by a day above 12 anywhere in the sample', () => {
    expect(pattern(['01-02-2002 01:00', '13-02-2002 01:00'])).toBe('%d-%m-%Y %H:%M');
    expect(pattern(['02-01-2002 01:00', '02-13-2002 01:00'])).toBe('%m-%d-%Y %H:%M');
  });

  it('leaves day/month undecided when no field exceeds 12', () => {
    expect(detectTimeFormat(['01/02/2002 01:00', '03/04/2002 01:00'])).toEqual({
      kind: 'day-or-month',
      dayFirst: '%d/%m/%Y %H:%M',
      monthFirst: '%m/%d/%Y %H:%M',
    });
  });

  it('tells epoch seconds from milliseconds by magnitude', () => {
    expect(detectTimeFormat(['1467331200', '1467334800'])).toEqual({
      kind: 'found',
      format: { kind: 'epoch', unit: 's' },
    });
    expect(detectTimeFormat(['1467331200000'])).toEqual({
      kind: 'found',
      format: { kind: 'epoch', unit: 'ms' },
    });
  });

  it('is not thrown off by a few bad values, and gives up on none', () => {
    expect(pattern(['2016-07-01 00:00', 'oops', '2016-07-01 02:00'])).toBe('%Y-%m-%d %H:%M');
    expect(detectTimeFormat(['monday']).kind).toBe('none');
    expect(detectTimeFormat(['2016-02-30 00:00']).kind).toBe('none');
  });
});

describe('formatting', () => {
  it('formats timestamps and periods', () => {
    expect(formatTimestamp(ms('2003-04-06 02:00'))).toBe('2003-04-06 02:00');
    expect(formatTimestamp(ms('2003-04-06 02:00') + 1500)).toBe('2003-04-06 02:00:01.500');
    expect([3_600_000, 900_000, 86_400_000, 604_800_000, 30_000].map(formatPeriod)).toEqual([
      '1h',
      '15min',
      '1D',
      '7D',
      '30s',
    ]);
  });
});

describe('loading', () => {
  const hours = [0, 1, 2];
  const expected = hours.map((h) => ms('2002-12-31 00:00') + h * 3_600_000);

  it.each([
    ['day-first dashes', hours.map((h) => `31-12-2002 0${h}:00`), '%d-%m-%Y %H:%M'],
    ['day-first slashes', hours.map((h) => `31/12/2002 0${h}:00`), '%d/%m/%Y %H:%M'],
    ['month-first', hours.map((h) => `12/31/2002 0${h}:00`), '%m/%d/%Y %H:%M'],
    ['ISO with T', hours.map((h) => `2002-12-31T0${h}:00`), '%Y-%m-%dT%H:%M'],
    ['epoch seconds', expected.map((t) => String(t / 1000)), 'epoch_s'],
    ['epoch milliseconds', expected.map(String), 'epoch_ms'],
  ])('reads %s', async (name, stamps, format) => {
    const path = files.file(
      `${name.replace(/ /g, '-')}.csv`,
      ['t,v', ...stamps.map((s, i) => `${s},${i}`)].join('\n'),
    );
    const { frame, report } = await loadData(path, { timeColumn: 't', columns: ['v'] });
    expect(report.timeFormat).toBe(format);
    expect(report.timeFormatInferred).toBe(true);
    expect(Array.from(frame.time)).toEqual(expected);
  });

  it('takes a strptime override and epoch overrides', async () => {
    const path = files.file('override.csv', ['t,v', '2002.12.31 - 00h,1', '2002.12.31 - 01h,2'].join('\n'));
    const { frame, report } = await loadData(path, {
      timeColumn: 't',
      columns: ['v'],
      timeFormat: '%Y.%m.%d - %Hh',
    });
    expect(report.timeFormat).toBe('%Y.%m.%d - %Hh');
    expect(report.timeFormatInferred).toBe(false);
    expect(Array.from(frame.time)).toEqual(expected.slice(0, 2));
    const epoch = files.file('epoch.csv', ['t,v', ...expected.map((t, i) => `${t},${i}`)].join('\n'));
    const forced = await loadData(epoch, { timeColumn: 't', columns: ['v'], timeFormat: 'epoch_ms' });
    expect(Array.from(forced.frame.time)).toEqual(expected);
  });

  it('settles day/month over the whole column when the sample cannot', async () => {
    // Daily rows on days 1-12 only, except one day-13 row that the sample skips.
    const rows: string[] = [];
    for (let year = 1950; rows.length < 7200; year++) {
      for (let month = 1; month <= 12; month++) {
        for (let day = 1; day <= 12; day++)
          rows.push(`${String(day).padStart(2, '0')}/${String(month).padStart(2, '0')}/${year}`);
      }
    }
    rows.length = 7200;
    rows[5000] = `13/${rows[5000]!.slice(3)}`;
    const path = files.file('late-day.csv', ['t,v', ...rows.map((r, i) => `${r},${i}`)].join('\n'));
    const { report } = await loadData(path, {
      timeColumn: 't',
      columns: ['v'],
      period: '1D',
      gaps: 'keep',
      duplicates: 'first',
    });
    expect(report.timeFormat).toBe('%d/%m/%Y');
  });
});
