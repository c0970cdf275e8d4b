/**
 * Strict cell parsers for the JS load path: they read only the forms whose duckdb reading is certain
 * (a plain decimal number; a timestamp in the pattern's canonical shape) and say "not sure" otherwise.
 */
import { fieldReader } from './strptime.js';
import type { TimeFormat } from './timestamps.js';

/** A numeric cell: a finite number, `null` when duckdb's `TRY_CAST(.. AS DOUBLE)` gives NULL/NaN/±inf, `undefined` when unsure. */
export type CellNumber = number | null | undefined;

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const DIGIT = /\d/;

/**
 * A value cell as duckdb reads it: plain decimals parse (JS and duckdb both round correctly), text
 * without a digit can never be a finite number (`NA`, `null`, `inf`, empty), anything else (padded,
 * `1_000`, `0x10`) is left to duckdb.
 */
export function numberCell(raw: string): CellNumber {
  if (raw === '') return null;
  const x = Number(raw);
  if (Number.isFinite(x)) {
    // JS also reads 0x1F, 0b1 and 0o7; duckdb does not: left to it. Padding never reaches here (js-read).
    const c = raw.charCodeAt(1) | 0x20;
    return c === 0x78 || c === 0x62 || c === 0x6f ? undefined : x;
  }
  if (DECIMAL.test(raw)) return null; // 1e400: ±inf in both
  return DIGIT.test(raw) ? undefined : null;
}

/** Reads one time cell to epoch ms; `undefined` when the cell is not in the strict shape (duckdb decides). */
export type TimeCellParser = (raw: string) => number | undefined;

function strptime(pattern: string): TimeCellParser | undefined {
  const read = fieldReader(pattern, false);
  if (!read) return undefined;
  return (raw) => {
    const v = read(raw);
    // Sub-millisecond digits are left to duckdb; so are years 0-99, which Date.UTC maps to 1900+ (never real data).
    if (!v || v.f % 1000 !== 0 || v.Y < 100) return undefined;
    return Date.UTC(v.Y, v.m - 1, v.d, v.H, v.M, v.S, v.f / 1000);
  };
}

/** duckdb's `round`: halves away from zero. */
const roundAway = (x: number) => Math.sign(x) * Math.round(Math.abs(x));

/**
 * The strict JS reader of `format` (what `timeSql` does in duckdb), or `undefined` when the format has
 * directives the JS path does not implement (then duckdb reads the file).
 */
export function timeCellParser(format: TimeFormat): TimeCellParser | undefined {
  if (format.kind === 'strptime') return strptime(format.pattern);
  if (format.kind === 'timestamp') return undefined;
  const scale = format.unit === 's' ? 1000 : 1;
  return (raw) => {
    const x = numberCell(raw);
    if (x === null || x === undefined) return undefined;
    const ms = roundAway(x * scale);
    return Number.isSafeInteger(ms) ? ms : undefined;
  };
}
