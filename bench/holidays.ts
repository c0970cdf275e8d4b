/**
 * `npm run bench -- holidays`: PJME day-ahead ridge with and without the holiday features, scored on US federal
 * holidays, the days after them and every test point (the reference protocol's split). Writes bench/results/holidays.json.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluate } from '../src/node/evaluate.js';
import { publicHolidays } from '../src/node/holidays.js';
import { createLogger } from '../src/node/log.js';
import { train } from '../src/node/train.js';
import type { CalendarFeature } from '../src/runtime/schemas/pipeline-config.js';

const PJME = fileURLToPath(new URL('../../shared/data/PJME_hourly.csv', import.meta.url));
const RESULTS = fileURLToPath(new URL('./results/holidays.json', import.meta.url));
const BASE: CalendarFeature[] = ['hour', 'day_of_week', 'weekend'];
const HOLIDAY: CalendarFeature[] = [...BASE, 'holiday', 'holiday_eve', 'after_holiday', 'bridge_day'];

interface Scores {
  all: number;
  holidays: number;
  after: number;
  points: { all: number; holidays: number; after: number };
  seconds: number;
}

/** MAE of `linear` over the test points, split by whether their day is a holiday or the day after one. */
function score(csv: string, holidays: Set<string>, after: Set<string>): Omit<Scores, 'seconds'> {
  const sums = { all: 0, holidays: 0, after: 0 };
  const counts = { all: 0, holidays: 0, after: 0 };
  const lines = csv.trim().split('\n');
  const header = lines[0]!.split(',');
  const [ts, model, prediction, actual] = ['timestamp', 'model', 'prediction', 'actual'].map((c) =>
    header.indexOf(c),
  );
  for (const line of lines.slice(1)) {
    const f = line.split(',');
    if (f[model!] !== 'linear') continue;
    const err = Math.abs(Number(f[prediction!]) - Number(f[actual!]));
    if (!Number.isFinite(err)) continue;
    const day = f[ts!]!.slice(0, 10);
    sums.all += err;
    counts.all++;
    if (holidays.has(day)) {
      sums.holidays += err;
      counts.holidays++;
    }
    if (after.has(day)) {
      sums.after += err;
      counts.after++;
    }
  }
  return {
    all: sums.all / counts.all,
    holidays: sums.holidays / counts.holidays,
    after: sums.after / counts.after,
    points: counts,
  };
}

export async function run(_args: string[]): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'twiga-bench-holidays-'));
  const dates = publicHolidays({ country: 'US' }, 2002, 2018);
  const holidays = new Set(dates);
  const after = new Set(
    dates.map((d) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)),
  );
  const results: Record<string, Scores> = {};
  try {
    for (const [label, calendar] of [
      ['without', BASE],
      ['with', HOLIDAY],
    ] as const) {
      const t0 = performance.now();
      await train({
        logger: createLogger({ quiet: true }),
        config: {
          data: { path: PJME },
          pipeline: {
            target: 'PJME_MW',
            timeColumn: 'Datetime',
            horizon: 24,
            lookback: 168,
            calendar: [...calendar],
            ...(label === 'with' ? { holidays: { country: 'US' } } : {}),
          },
          models: [{ name: 'linear', alpha: 1 }],
          train: {
            checkpointRoot: dir,
            name: label,
            split: { trainEnd: '2013-08-11T14:00', testStart: '2013-08-12' },
          },
        },
      });
      const out = join(dir, `${label}.csv`);
      await evaluate({ checkpoint: join(dir, label), data: PJME, out, levels: [] });
      results[label] = {
        ...score(readFileSync(out, 'utf8'), holidays, after),
        seconds: (performance.now() - t0) / 1000,
      };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const w = results.with!;
  const wo = results.without!;
  console.log('holidays bench: PJME day-ahead ridge (protocol split), MAE in MW; ratio = with / without');
  console.log('test points                 without     with    ratio   points');
  for (const key of ['holidays', 'after', 'all'] as const) {
    const name = { holidays: 'US federal holidays', after: 'days after a holiday', all: 'every test point' }[
      key
    ];
    console.log(
      `${name.padEnd(26)} ${wo[key].toFixed(1).padStart(8)} ${w[key].toFixed(1).padStart(8)} ${(w[key] / wo[key]).toFixed(3).padStart(8)} ${String(w.points[key]).padStart(8)}`,
    );
  }
  console.log(`train + evaluate: ${wo.seconds.toFixed(1)} s without, ${w.seconds.toFixed(1)} s with`);
  mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
  writeFileSync(
    RESULTS,
    `${JSON.stringify({ data: 'PJME_hourly.csv', model: 'linear', holidays: 'US public (date-holidays)', results }, null, 2)}\n`,
  );
}
