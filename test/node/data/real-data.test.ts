/** The loader on the shared real series: PJME (unsorted, duplicated, gappy) and ETTh1 (clean). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeDuckDB, formatReport, type LoadResult, loadData } from '../../../src/node/data/index.js';
import { SHARED_DATA } from './fixtures.js';

const HOUR = 3_600_000;

afterAll(() => closeDuckDB());

/** An independent plain-JS pass over the raw PJME file. */
function scanPjme(path: string) {
  const lines = readFileSync(path, 'utf8').trim().split(/\r?\n/).slice(1);
  const times: number[] = [];
  const byTime = new Map<number, number[]>();
  for (const line of lines) {
    const [stamp, value] = line.split(',');
    const m = /^(\d\d)-(\d\d)-(\d{4}) (\d\d):(\d\d)$/.exec(stamp!)!;
    const t = Date.UTC(Number(m[3]), Number(m[2]) - 1, Number(m[1]), Number(m[4]), Number(m[5]));
    times.push(t);
    byTime.set(t, [...(byTime.get(t) ?? []), Number(value)]);
  }
  let descents = 0;
  for (let i = 1; i < times.length; i++) if (times[i]! < times[i - 1]!) descents++;
  const duplicated = [...byTime.entries()].filter(([, v]) => v.length > 1);
  const min = times.reduce((a, b) => Math.min(a, b));
  const max = times.reduce((a, b) => Math.max(a, b));
  const span = (max - min) / HOUR + 1;
  return {
    rows: lines.length,
    descents,
    duplicated,
    extraRows: duplicated.reduce((n, [, v]) => n + v.length - 1, 0),
    missing: span - byTime.size,
    span,
    byTime,
    min,
  };
}

describe('PJME_hourly.csv', () => {
  const path = join(SHARED_DATA, 'PJME_hourly.csv');
  const raw = scanPjme(path);
  let result: LoadResult;
  let wallMs: number;

  beforeAll(async () => {
    const started = performance.now();
    result = await loadData(path, { timeColumn: 'Datetime', columns: ['PJME_MW'] });
    wallMs = performance.now() - started;
    console.info(
      `${formatReport(result.report)}\n  (wall ${Math.round(wallMs)} ms, ${result.report.engine} engine)`,
    );
  });

  it('agrees with an independent pass over the raw file', () => {
    expect(raw.rows).toBe(145_366);
    expect(raw.descents).toBe(6041);
    expect(raw.duplicated.length).toBe(4);
    expect(raw.extraRows).toBe(4);
    expect(raw.missing).toBe(30);
  });

  it('reports exactly what it repaired', () => {
    const { report } = result;
    expect(report.format).toBe('csv');
    expect(report.timeFormat).toBe('%d-%m-%Y %H:%M');
    expect(report.timeFormatInferred).toBe(true);
    expect(report.period).toBe('1h');
    expect(report.periodInferred).toBe(true);
    expect(report.rowsRead).toBe(raw.rows);
    expect(report.outOfOrder).toBe(raw.descents);
    expect(report.sorted).toBe(true);
    expect(report.duplicates).toMatchObject({
      count: raw.duplicated.length,
      extraRows: raw.extraRows,
      policy: 'mean',
    });
    expect(report.gaps).toMatchObject({ count: 30, missingRows: raw.missing, policy: 'interpolate' });
    expect(report.gaps.examples[0]).toBe('2002-04-07 03:00 (1 row)');
    expect(report.invalidValues).toEqual({ PJME_MW: 0 });
    expect(report.filled).toEqual({ PJME_MW: 30 });
    expect(report.rowsOut).toBe(raw.span);
    expect(report.rowsOut).toBe(report.rowsRead - report.duplicates.extraRows + report.gaps.missingRows);
    expect(report.first).toBe('2002-01-01 01:00');
    expect(report.last).toBe('2018-08-03 00:00');
    expect(report.actions).toHaveLength(4);
    expect(report.actions[0]).toBe('sorted 145366 rows by time (6041 were earlier than the row before)');
  });

  it('produces a regular, complete, sorted frame', () => {
    const { time, columns } = result.frame;
    const values = columns['PJME_MW']!;
    expect(time.length).toBe(raw.span);
    expect(time[0]).toBe(raw.min);
    for (let i = 1; i < time.length; i++)
      if (time[i]! - time[i - 1]! !== HOUR) throw new Error(`step at ${i}`);
    expect(values.every(Number.isFinite)).toBe(true);
    for (const [t, v] of raw.duplicated) {
      expect(values[(t - raw.min) / HOUR]).toBeCloseTo((v[0]! + v[1]!) / 2, 9);
    }
    const gap = (Date.UTC(2002, 3, 7, 3) - raw.min) / HOUR;
    expect(raw.byTime.has(time[gap]!)).toBe(false);
    expect(values[gap]).toBeCloseTo((values[gap - 1]! + values[gap + 1]!) / 2, 9);
  });

  it('returns the same data as an Arrow table', () => {
    const { table, frame } = result;
    expect(table.numRows).toBe(frame.time.length);
    expect(table.schema.fields.map((f) => `${f.name}: ${f.type}`)).toEqual([
      'Datetime: Timestamp<MILLISECOND>',
      'PJME_MW: Float64',
    ]);
    expect(table.getChild('Datetime')!.get(100)).toBe(frame.time[100]);
    expect(table.getChild('PJME_MW')!.get(100)).toBe(frame.columns['PJME_MW']![100]);
  });

  it('is read by the JS engine, and a second load gives the same frame', async () => {
    // Timings live in `npm run bench -- fleet` (tests assert none): this checks the path that makes it fast.
    expect(result.report.engine).toBe('js');
    const started = performance.now();
    const again = await loadData(path, { timeColumn: 'Datetime', columns: ['PJME_MW'] });
    console.info(`PJME warm load: ${Math.round(performance.now() - started)} ms`);
    expect(Array.from(again.frame.columns['PJME_MW']!)).toEqual(Array.from(result.frame.columns['PJME_MW']!));
  });
});

describe('ETTh1.csv', () => {
  it('loads clean, with nothing repaired', async () => {
    const path = join(SHARED_DATA, 'ETTh1.csv');
    const lines = readFileSync(path, 'utf8').trim().split(/\r?\n/);
    const header = lines[0]!.split(',');
    const columns = header.slice(1);
    const { frame, report } = await loadData(path, { timeColumn: 'date', columns });
    expect(report).toMatchObject({
      rowsRead: 17_420,
      rowsOut: 17_420,
      timeFormat: '%Y-%m-%d %H:%M:%S',
      period: '1h',
      outOfOrder: 0,
      sorted: false,
      duplicates: { count: 0, extraRows: 0 },
      gaps: { count: 0, missingRows: 0 },
      first: '2016-07-01 00:00',
      last: '2018-06-26 19:00',
      actions: [],
    });
    expect(Object.values(report.invalidValues)).toEqual(columns.map(() => 0));
    expect(formatReport(report)).toContain('no repairs needed');
    const last = lines.at(-1)!.split(',');
    expect(frame.columns['OT']![17_419]).toBe(Number(last[header.indexOf('OT')]));
    expect(frame.time[17_419]).toBe(Date.parse('2018-06-26T19:00:00Z'));
  });
});
