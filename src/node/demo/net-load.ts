/**
 * The synthetic 30-min net-load data and its pipeline, shared by the demo, the browser demo's checkpoint,
 * the edge benchmark and the test fixtures, so they all forecast the same thing the same way.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelConfig } from '../../runtime/schemas/model-config.js';
import type { PipelineConfigInput } from '../../runtime/schemas/pipeline-config.js';
import { type SyntheticSeries, syntheticNetLoad } from '../../runtime/synthetic.js';
import { formatTimestamp } from '../../runtime/time-format.js';

export const NET_LOAD_COLUMNS = ['net_load', 'temperature', 'irradiance'] as const;
export type NetLoadColumn = (typeof NET_LOAD_COLUMNS)[number];
const PER_DAY = 48;

/**
 * The net-load pipeline: target `net_load` at 30 minutes, one day ahead from one week of history;
 * `extra` adds or overrides fields (weather as exogenous, calendar features, a shorter lookback).
 */
export function netLoadPipeline(extra: Partial<PipelineConfigInput> = {}): PipelineConfigInput {
  return {
    target: 'net_load',
    timeColumn: 'timestamp',
    period: '30min',
    horizon: '1D',
    lookback: '7D',
    ...extra,
  };
}

/** Seasonal naive at one day and ridge: the pair the served checkpoints hold. */
export const NET_LOAD_MODELS: ModelConfig[] = [
  { name: 'seasonal_naive', season: '1D' },
  { name: 'linear', alpha: 1 },
];

/**
 * Rows `[from, to)` of a series as CSV (`timestamp` then `columns`); the target is left blank from row
 * `blankTargetFrom` on (future rows that carry only a weather forecast).
 */
export function netLoadCsv(
  s: SyntheticSeries,
  options: { from?: number; to?: number; columns?: readonly NetLoadColumn[]; blankTargetFrom?: number } = {},
): string {
  const { from = 0, to = s.time.length, columns = NET_LOAD_COLUMNS } = options;
  const blankFrom = options.blankTargetFrom ?? to;
  const lines = [`timestamp,${columns.join(',')}`];
  for (let i = from; i < to; i++) {
    const cells = columns.map((c) => (c === 'net_load' && i >= blankFrom ? '' : String(s[c][i])));
    lines.push(`${formatTimestamp(s.time[i]!).replace('T', ' ')},${cells.join(',')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Days after the history that the demo's retraining flow sees as "recent". */
export const RECENT_DAYS = 28;

/**
 * Write the demo's data files: `days` of history; the next day as "tomorrow" (the last week, then the day
 * with its weather forecast only); and the {@link RECENT_DAYS} after the history as the recent window.
 */
export async function writeDemoData(
  dir: string,
  days: number,
): Promise<{
  history: string;
  tomorrow: string;
  recent: string;
  series: SyntheticSeries;
  split: number;
  testStart: string;
}> {
  // The generator is prefix-stable: more days do not change the first ones.
  const series = syntheticNetLoad({ days: days + RECENT_DAYS });
  const split = days * PER_DAY;
  await mkdir(dir, { recursive: true });
  const history = join(dir, 'net_load.csv');
  const tomorrow = join(dir, 'net_load_tomorrow.csv');
  const recent = join(dir, 'net_load_recent.csv');
  await writeFile(history, netLoadCsv(series, { to: split }));
  await writeFile(
    tomorrow,
    netLoadCsv(series, { from: split - 7 * PER_DAY, to: split + PER_DAY, blankTargetFrom: split }),
  );
  await writeFile(recent, netLoadCsv(series, { from: split }));
  const testStart = formatTimestamp(series.time[Math.floor(days * 0.8) * PER_DAY]!).slice(0, 10);
  return { history, tomorrow, recent, series, split, testStart };
}
