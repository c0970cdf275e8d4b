/**
 * A seeded synthetic fleet: many net-load series (feeders, stores, customers) with their own level, daily and
 * weekly shape, solar share and noise — for scale tests and the fleet benchmark. Identical on every machine.
 */

import { mulberry32 } from '../synthetic.js';
import { formatTimestamp } from '../time-format.js';

/** Series count, days, step, start and seed of `syntheticFleet`. */
export interface SyntheticFleetOptions {
  /** Number of series. @default 1000 */
  series?: number;
  /** Days per series. @default 60 */
  days?: number;
  /** Minutes per step. @default 60 */
  stepMinutes?: number;
  /** First timestamp (wall clock, read as UTC). @default '2024-01-01T00:00:00' */
  start?: string;
  seed?: number;
}

/** One series of the fleet: its id and values on a regular grid. */
export interface SyntheticFleetSeries {
  id: string;
  time: Float64Array;
  net_load: Float64Array;
  /** The static features it was generated with (a static table's row). */
  static: { level: number; solar_share: number };
}

/**
 * `series` series named `feeder-0000`, `feeder-0001`, …: level 20–2000 (log-uniform), morning and evening
 * peaks of their own size and hour, weekend dip, a midday solar trough with its own share, AR(1) noise of
 * 2–8 % of the level.
 * @example
 * const fleet = syntheticFleet({ series: 3, days: 30 });
 * fleet[0].id; // 'feeder-0000'
 */
export function syntheticFleet(options: SyntheticFleetOptions = {}): SyntheticFleetSeries[] {
  const count = options.series ?? 1000;
  const stepMs = (options.stepMinutes ?? 60) * 60_000;
  const n = Math.round(((options.days ?? 60) * 86_400_000) / stepMs);
  const t0 = Date.parse(`${options.start ?? '2024-01-01T00:00:00'}Z`);
  const rand = mulberry32(options.seed ?? 11);
  const norm = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const width = String(Math.max(count - 1, 1)).length < 4 ? 4 : String(count - 1).length;
  const time = Float64Array.from({ length: n }, (_, i) => t0 + i * stepMs);
  const out: SyntheticFleetSeries[] = [];
  for (let s = 0; s < count; s++) {
    const level = Math.round(20 * 100 ** rand() * 100) / 100;
    const morning = 0.1 + 0.25 * rand();
    const evening = 0.15 + 0.35 * rand();
    const peakHour = 17 + 3 * rand();
    const weekend = 0.7 + 0.25 * rand();
    const solar = Math.round(0.4 * rand() * 1000) / 1000;
    const noiseShare = 0.02 + 0.06 * rand();
    const values = new Float64Array(n);
    let noise = 0;
    for (let i = 0; i < n; i++) {
      const d = new Date(time[i]!);
      const hour = d.getUTCHours() + d.getUTCMinutes() / 60;
      const dow = (d.getUTCDay() + 6) % 7;
      noise = 0.7 * noise + noiseShare * norm();
      const daily =
        1 +
        morning * Math.exp(-((hour - 8) ** 2) / 4) +
        evening * Math.exp(-((hour - peakHour) ** 2) / 6) -
        0.25 * Math.exp(-((hour - 3.5) ** 2) / 8);
      const sun = Math.max(0, Math.sin((Math.PI * (hour - 6)) / 12));
      const v = level * ((dow >= 5 ? weekend : 1) * daily - solar * sun + noise);
      values[i] = Math.round(v * 100) / 100;
    }
    out.push({
      id: `feeder-${String(s).padStart(width, '0')}`,
      time,
      net_load: values,
      static: { level, solar_share: solar },
    });
  }
  return out;
}

/**
 * The fleet as long-format CSV (`unique_id,timestamp,net_load`), one chunk per series so a large fleet can be
 * streamed to a file without one huge string.
 */
export function* fleetCsvChunks(fleet: readonly SyntheticFleetSeries[]): Generator<string> {
  yield 'unique_id,timestamp,net_load\n';
  for (const s of fleet) {
    const lines: string[] = [];
    for (let i = 0; i < s.time.length; i++)
      lines.push(`${s.id},${formatTimestamp(s.time[i]!)},${s.net_load[i]}`);
    yield `${lines.join('\n')}\n`;
  }
}

/** The static table of a fleet as CSV (`unique_id,level,solar_share`). */
export function fleetStaticCsv(fleet: readonly SyntheticFleetSeries[]): string {
  return [
    'unique_id,level,solar_share',
    ...fleet.map((s) => `${s.id},${s.static.level},${s.static.solar_share}`),
    '',
  ].join('\n');
}
