/** Holiday calendars resolved with date-holidays at training, stored in the checkpoint, read by the runtime. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HOLIDAY_YEARS_AHEAD, publicHolidays, withHolidays } from '../../src/node/holidays.js';
import { ConfigError } from '../../src/runtime/errors.js';
import { PipelineConfigSchema } from '../../src/runtime/schemas/pipeline-config.js';
import { runCli } from './cli-run.js';
import { tempFiles } from './data/fixtures.js';

const files = tempFiles();
afterAll(() => files.cleanup());

describe('publicHolidays', () => {
  it('lists the US federal holidays of 2024', () => {
    expect(publicHolidays({ country: 'US' }, 2024, 2024)).toEqual([
      '2024-01-01',
      '2024-01-15',
      '2024-02-19',
      '2024-05-27',
      '2024-06-19',
      '2024-07-04',
      '2024-09-02',
      '2024-10-14',
      '2024-11-11',
      '2024-11-28',
      '2024-12-25',
    ]);
  });
  it('adds a region’s own holidays (California: César Chávez Day, the day after Thanksgiving)', () => {
    const ca = publicHolidays({ country: 'US', region: 'CA' }, 2024, 2024);
    expect(ca).toContain('2024-11-29');
    expect(ca.length).toBeGreaterThan(11);
  });
  it('names an unknown country or region', () => {
    expect(() => publicHolidays({ country: 'QQ' }, 2024, 2024)).toThrow(ConfigError);
    expect(() => publicHolidays({ country: 'US', region: 'ZZ' }, 2024, 2024)).toThrow(
      /unknown holiday region "ZZ" of US/,
    );
  });
});

describe('withHolidays', () => {
  const config = PipelineConfigSchema.parse({
    target: 'y',
    calendar: ['holiday'],
    holidays: { country: 'DE' },
  });
  const time = [Date.UTC(2020, 5, 1), Date.UTC(2023, 1, 1)];
  it('resolves the data span plus the years ahead', () => {
    const resolved = withHolidays(config, time);
    expect(resolved.holidays?.years).toEqual([2019, 2023 + HOLIDAY_YEARS_AHEAD]);
    expect(resolved.holidays?.dates).toContain('2020-10-03'); // German Unity Day
  });
  it('keeps a calendar that already covers the data (a retraining on the incumbent)', () => {
    const resolved = withHolidays(config, time);
    expect(withHolidays(resolved, time)).toBe(resolved);
    const later = withHolidays(resolved, [Date.UTC(2060, 0, 1)]);
    expect(later.holidays?.years).toEqual([2059, 2060 + HOLIDAY_YEARS_AHEAD]);
  });
});

describe('twiga-edge train --holidays', () => {
  it('stores the resolved calendar in pipeline.json and forecasts with it', async () => {
    const days = 60;
    const rows = ['timestamp,load'];
    for (let i = 0; i < days * 24; i++) {
      const t = Date.UTC(2024, 5, 1) + i * 3_600_000;
      const d = new Date(t);
      const off = d.getUTCDay() === 0 || d.getUTCDay() === 6 || d.toISOString().startsWith('2024-07-04');
      rows.push(
        `${d.toISOString().slice(0, 16)},${(off ? 60 : 100) + 10 * Math.sin((i / 24) * 2 * Math.PI)}`,
      );
    }
    const data = files.file('holiday-load.csv', `${rows.join('\n')}\n`);
    const dir = files.dir;
    const trained = await runCli(
      [
        'train',
        ...['--data', data, '--target', 'load', '--horizon', '24', '--lookback', '48', '--models', 'linear'],
        ...['--calendar', 'hour,day_of_week,weekend,holiday,holiday_eve,after_holiday,bridge_day'],
        ...['--fourier', 'day=2,week=1', '--holidays', 'US', '--checkpoints', join(dir, 'ck'), '--name', 'h'],
      ],
      { cwd: dir },
    );
    expect(trained.code, trained.stderr).toBe(0);
    const pipeline = JSON.parse(readFileSync(join(dir, 'ck', 'h', 'v0001', 'pipeline.json'), 'utf8'));
    expect(pipeline.config.holidays.country).toBe('US');
    expect(pipeline.config.holidays.years).toEqual([2023, 2024 + HOLIDAY_YEARS_AHEAD]);
    expect(pipeline.config.holidays.dates).toContain('2024-07-04');
    expect(pipeline.config.fourier).toEqual({ day: 2, week: 1, year: 0 });
    const names = pipeline.layout.blocks.map((b: { name: string }) => b.name);
    expect(names).toEqual(
      expect.arrayContaining(['holiday', 'bridge_day', 'fourier_day_cos2', 'fourier_week_sin1']),
    );
    const predicted = await runCli(['predict', '--checkpoint', join(dir, 'ck', 'h'), '--data', data], {
      cwd: dir,
    });
    expect(predicted.code, predicted.stderr).toBe(0);
    expect(JSON.parse(predicted.stdout).forecasts.linear.load).toHaveLength(24);
  });

  it('a bad --holidays value is exit 2 naming the field', async () => {
    const data = files.file('tiny.csv', 'timestamp,load\n2024-01-01T00:00,1\n');
    const r = await runCli(
      ['train', '--data', data, '--target', 'load', '--calendar', 'holiday', '--holidays', 'USA'],
      {
        cwd: files.dir,
      },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/holidays\.country/);
  });
});
