/** A realistic synthetic net-load series (demand minus rooftop solar) for demos and docs. */
import { getPosition } from 'suncalc';
import type { Frame } from './frame.js';

export interface SyntheticOptions {
  /** First timestamp (wall clock, read as UTC). */
  start?: string;
  days?: number;
  /** Minutes per step. */
  stepMinutes?: number;
  latitude?: number;
  longitude?: number;
  seed?: number;
  /** A step change in demand from `day` on (days after `start`), e.g. a new industrial load: drift tests. */
  levelShift?: { day: number; mw: number };
}

/** A generated series: timestamps, net load, temperature and irradiance, and the site's coordinates. */
export interface SyntheticSeries {
  time: Float64Array;
  net_load: Float64Array;
  temperature: Float64Array;
  irradiance: Float64Array;
  latitude: number;
  longitude: number;
}

/** mulberry32: a tiny, fast, seedable PRNG so the data is identical on every machine. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rand: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/**
 * Net load in MW: a 500 MW base with morning and evening peaks, lower weekends, heating below 15 °C
 * and cooling above 22 °C, minus 300 MW of solar scaled by irradiance; autocorrelated weather and noise.
 */
export function syntheticNetLoad(options: SyntheticOptions = {}): SyntheticSeries {
  const stepMs = (options.stepMinutes ?? 30) * 60_000;
  const n = Math.round(((options.days ?? 182) * 86_400_000) / stepMs);
  const t0 = Date.parse(`${options.start ?? '2024-01-01T00:00:00'}Z`);
  const lat = options.latitude ?? 52.37;
  const lon = options.longitude ?? 4.9;
  const norm = gaussian(mulberry32(options.seed ?? 7));
  const time = new Float64Array(n);
  const netLoad = new Float64Array(n);
  const temperature = new Float64Array(n);
  const irradiance = new Float64Array(n);
  let weather = 0;
  let cloud = 0;
  let noise = 0;
  const shiftFrom = options.levelShift ? Math.round((options.levelShift.day * 86_400_000) / stepMs) : n;
  const shiftMw = options.levelShift?.mw ?? 0;
  for (let i = 0; i < n; i++) {
    const t = t0 + i * stepMs;
    time[i] = t;
    const d = new Date(t);
    const hour = d.getUTCHours() + d.getUTCMinutes() / 60;
    const doy = (t - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000;
    const dow = (d.getUTCDay() + 6) % 7;
    weather = 0.995 * weather + 0.25 * norm();
    cloud = 0.97 * cloud + 0.25 * norm();
    noise = 0.8 * noise + 6 * norm();
    const temp =
      10 -
      8 * Math.cos((2 * Math.PI * (doy - 15)) / 365) +
      4 * Math.sin((2 * Math.PI * (hour - 9)) / 24) +
      weather;
    const cloudiness = 1 / (1 + Math.exp(-cloud));
    const altitude = getPosition(new Date(t), lat, lon).altitude;
    const irr = Math.max(0, Math.sin(altitude)) * 1000 * (1 - 0.75 * cloudiness);
    const daily =
      60 * Math.exp(-((hour - 8) ** 2) / 4) +
      110 * Math.exp(-((hour - 19) ** 2) / 6) -
      90 * Math.exp(-((hour - 3.5) ** 2) / 8);
    const weekday = dow >= 5 ? 0.85 : 1;
    const heating = 7 * Math.max(0, 15 - temp);
    const cooling = 5 * Math.max(0, temp - 22);
    const demand = weekday * (500 + daily) + heating + cooling + noise + (i >= shiftFrom ? shiftMw : 0);
    temperature[i] = Math.round(temp * 100) / 100;
    irradiance[i] = Math.round(irr * 10) / 10;
    netLoad[i] = Math.round((demand - 0.3 * irr) * 100) / 100;
  }
  return { time, net_load: netLoad, temperature, irradiance, latitude: lat, longitude: lon };
}

/** The series as a runtime Frame with columns `net_load`, `temperature`, `irradiance`. */
export function syntheticFrame(series: SyntheticSeries): Frame {
  return {
    time: series.time,
    columns: { net_load: series.net_load, temperature: series.temperature, irradiance: series.irradiance },
  };
}
