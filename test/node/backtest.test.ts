/** Rolling-origin folds: calendar arithmetic, fold ranges, and the CLI end to end on ETTh1. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BacktestSchema, foldRanges } from '../../src/node/backtest.js';
import { addDuration } from '../../src/runtime/calendar-duration.js';
import { runCli, runCliJson } from './cli-run.js';
import { SHARED_DATA, tempFiles } from './data/fixtures.js';

const files = tempFiles();
afterAll(() => files.cleanup());
const D = 86_400_000;

describe('addDuration', () => {
  it('adds calendar months, clamping the day like pandas DateOffset', () => {
    expect(new Date(addDuration(Date.UTC(2024, 0, 31, 5), '1M')).toISOString()).toBe(
      '2024-02-29T05:00:00.000Z',
    );
    expect(new Date(addDuration(Date.UTC(2023, 10, 15), '3M')).toISOString()).toBe(
      '2024-02-15T00:00:00.000Z',
    );
    expect(new Date(addDuration(Date.UTC(2024, 1, 29), '1Y')).toISOString()).toBe('2025-02-28T00:00:00.000Z');
  });
  it('adds fixed spans', () => {
    expect(addDuration(0, '90D')).toBe(90 * D);
    expect(addDuration(0, '12h')).toBe(12 * 3_600_000);
    expect(() => addDuration(0, 'soon')).toThrow(/expected a duration/);
  });
});

describe('foldRanges', () => {
  // daily rows for all of 2024 (366 days)
  const time = Float64Array.from({ length: 366 }, (_, i) => Date.UTC(2024, 0, 1) + i * D);
  const row = (iso: string) => (Date.parse(`${iso}T00:00:00Z`) - Date.UTC(2024, 0, 1)) / D;

  it('slides a 3-month training window by the test size', () => {
    const folds = foldRanges(time, BacktestSchema.parse({ trainSize: '3M', testSize: '1M' }));
    expect(folds[0]).toEqual({ trainStart: 0, trainEnd: row('2024-04-01'), testEnd: row('2024-05-01') });
    expect(folds[1]).toEqual({
      trainStart: row('2024-02-01'),
      trainEnd: row('2024-05-01'),
      testEnd: row('2024-06-01'),
    });
    // last fold: train Sep–Nov, test December (ends at the last row + 1)
    expect(folds).toHaveLength(9);
    expect(folds.at(-1)).toEqual({
      trainStart: row('2024-09-01'),
      trainEnd: row('2024-12-01'),
      testEnd: 366,
    });
  });

  it('expands from the first row and honours step and maxFolds', () => {
    const folds = foldRanges(
      time,
      BacktestSchema.parse({ trainSize: '6M', testSize: '1M', step: '2M', expanding: true, maxFolds: 2 }),
    );
    expect(folds).toEqual([
      { trainStart: 0, trainEnd: row('2024-07-01'), testEnd: row('2024-08-01') },
      { trainStart: 0, trainEnd: row('2024-09-01'), testEnd: row('2024-10-01') },
    ]);
  });
});

describe('twiga-edge backtest', () => {
  it('refits per fold and prints per-fold and mean metrics, and writes CSV', async () => {
    const out = join(files.dir, 'folds.csv');
    type Result = {
      folds: Array<{
        fold: number;
        test_start: string;
        windows: number;
        metrics: Record<string, Record<string, number>>;
      }>;
      mean: Record<string, Record<string, number>>;
    };
    const result = await runCliJson<Result>([
      'backtest',
      ...['--data', join(SHARED_DATA, 'ETTh1.csv'), '--target', 'OT', '--time-col', 'date'],
      ...[
        '--horizon',
        '24',
        '--lookback',
        '168',
        '--train-size',
        '3M',
        '--test-size',
        '1M',
        '--max-folds',
        '3',
        '--out',
        out,
      ],
    ]);
    expect(result.folds.map((f) => [f.fold, f.test_start, f.windows])).toEqual([
      [1, '2016-10-01T00:00:00', 31],
      [2, '2016-11-01T00:00:00', 30],
      [3, '2016-12-01T00:00:00', 31],
    ]);
    const mean = result.folds.reduce((s, f) => s + f.metrics['linear']!['mae']!, 0) / 3;
    expect(result.mean['linear']!['mae']).toBeCloseTo(mean, 12);
    for (const f of result.folds)
      expect(f.metrics['linear']!['mae']).toBeLessThan(f.metrics['seasonal_naive_1D']!['mae']!);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines[0]).toBe(
      'fold,train_start,train_end,test_start,test_end,windows,model,mae,rmse,corr,nbias,wmape,smape',
    );
    expect(lines).toHaveLength(1 + 3 * 4);
  });

  it('says when the data is too short for one fold', async () => {
    const r = await runCli([
      'backtest',
      ...['--data', join(SHARED_DATA, 'ETTh1.csv'), '--target', 'OT', '--time-col', 'date'],
      ...['--train-size', '5Y', '--test-size', '1M'],
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /no complete fold: the data spans 2016-07-01T00:00:00 to 2018-06-26T19:00:00, a fold needs 5Y \+ 1M/,
    );
  });
});
