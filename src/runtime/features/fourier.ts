/** Fourier terms of the daily, weekly and yearly cycles: sin/cos of 2π·k·t/P for k = 1…K. */
import type { FourierOrders } from '../schemas/pipeline-config.js';

const DAY_MS = 86_400_000;
const TAU = 2 * Math.PI;

/** Each cycle: its name, period P and the epoch-ms instant at phase 0. */
const CYCLES = [
  { name: 'day', periodMs: DAY_MS, anchorMs: 0 },
  // 1970-01-05 was a Monday: weeks start on Monday 00:00, as `day_of_week`.
  { name: 'week', periodMs: 7 * DAY_MS, anchorMs: 4 * DAY_MS },
  // The mean Gregorian year, so the phase does not drift over centuries.
  { name: 'year', periodMs: 365.2425 * DAY_MS, anchorMs: 0 },
] as const;

/** Writes one timestamp's Fourier terms; returns the index after the last value written. */
export interface FourierWriter {
  readonly width: number;
  write(time: number, out: Float64Array, index: number, step: number): number;
}

/** Names of the terms, in order: `fourier_day_sin1, fourier_day_cos1, …, fourier_year_cosK`. */
export function fourierNames(orders?: FourierOrders): string[] {
  if (!orders) return [];
  return CYCLES.flatMap(({ name }) =>
    Array.from({ length: orders[name] }, (_, i) => [
      `fourier_${name}_sin${i + 1}`,
      `fourier_${name}_cos${i + 1}`,
    ]).flat(),
  );
}

/** A writer for `orders`, or `undefined` when every order is 0. */
export function fourierTerms(orders?: FourierOrders): FourierWriter | undefined {
  if (!orders) return undefined;
  const cycles = CYCLES.map((c) => ({ ...c, order: orders[c.name] })).filter((c) => c.order > 0);
  if (cycles.length === 0) return undefined;
  const width = 2 * cycles.reduce((s, c) => s + c.order, 0);
  return {
    width,
    write(time, out, index, step) {
      let k = index;
      for (const { periodMs, anchorMs, order } of cycles) {
        const shifted = (time - anchorMs) % periodMs;
        const phase = (shifted < 0 ? shifted + periodMs : shifted) / periodMs;
        for (let h = 1; h <= order; h++) {
          const angle = TAU * h * phase;
          out[k] = Math.sin(angle);
          out[k + step] = Math.cos(angle);
          k += 2 * step;
        }
      }
      return k;
    },
  };
}
