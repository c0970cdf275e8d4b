/**
 * Hourly series for the flow tests: a stationary daily/weekly load curve with noise, written as a reference
 * window (90 days) and a current window (the next 60 days) that is unchanged, shifted (a new regime the
 * incumbent has not seen) or anomalous (30 days of sensor noise, then normal again).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mulberry32 } from '../../../src/runtime/synthetic.js';
import { formatTimestamp } from '../../../src/runtime/time-format.js';

export type CurrentKind = 'same' | 'shift' | 'anomaly';

const HOUR = 3_600_000;
const T0 = Date.parse('2024-01-01T00:00:00Z');
export const REFERENCE_DAYS = 90;
export const CURRENT_DAYS = 60;

function load(i: number, noise: () => number): number {
  const hour = i % 24;
  const day = Math.floor(i / 24) % 7;
  const daily = 150 * Math.sin((2 * Math.PI * (hour - 6)) / 24) + 60 * Math.sin((4 * Math.PI * hour) / 24);
  return 500 + daily + (day >= 5 ? -80 : 0) + 15 * noise();
}

function gaussian(rand: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** The current window's value at hour `k` (0 = its first hour) given the normal value `v`. */
function current(kind: CurrentKind, v: number, k: number, rand: () => number): number {
  const hour = k % 24;
  if (kind === 'shift') return v * 1.6 + 200 + (hour >= 10 && hour <= 15 ? -250 : 0);
  if (kind === 'anomaly') return k < 30 * 24 ? v + 1000 * (rand() - 0.5) : v;
  return v;
}

/** The training config the tests use: hourly, one day ahead from one week. */
export const TRAIN_CONFIG = {
  pipeline: {
    target: ['load'],
    timeColumn: 'timestamp',
    horizon: 24,
    lookback: 168,
    calendar: ['hour', 'day_of_week'],
  },
  models: [
    { name: 'seasonal_naive', season: '1D' },
    { name: 'linear', alpha: 1 },
  ],
};

/** Write `reference.csv` and `current.csv` (of `kind`) into `dir`. */
export async function writeWindows(
  dir: string,
  kind: CurrentKind,
  options: { currentName?: string } = {},
): Promise<{ reference: string; current: string }> {
  const noise = gaussian(mulberry32(5));
  const rand = mulberry32(11);
  const rows = (from: number, to: number, value: (v: number, i: number) => number) => {
    const lines = ['timestamp,load'];
    for (let i = from; i < to; i++)
      lines.push(`${formatTimestamp(T0 + i * HOUR)},${value(load(i, noise), i).toFixed(3)}`);
    return `${lines.join('\n')}\n`;
  };
  const reference = join(dir, 'reference.csv');
  const currentPath = join(dir, options.currentName ?? `current-${kind}.csv`);
  const split = REFERENCE_DAYS * 24;
  await writeFile(
    reference,
    rows(0, split, (v) => v),
  );
  await writeFile(
    currentPath,
    rows(split, split + CURRENT_DAYS * 24, (v, i) => current(kind, v, i - split, rand)),
  );
  return { reference, current: currentPath };
}
