/**
 * Strict cell parsers for the JS load path: they read only the forms whose duckdb reading is certain
 * (a plain decimal number; a timestamp in the pattern's canonical shape) and say "not sure" otherwise.
 */
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

type Field = 'Y' | 'm' | 'd' | 'H' | 'M' | 'S' | 'f';
const WIDTH: Record<Field, string> = {
  Y: '(\\d{4})',
  m: '(\\d{1,2})',
  d: '(\\d{1,2})',
  H: '(\\d{1,2})',
  M: '(\\d{1,2})',
  S: '(\\d{1,2})',
  f: '(\\d{1,6})',
};

/** Reads one time cell to epoch ms; `undefined` when the cell is not in the strict shape (duckdb decides). */
export type TimeCellParser = (raw: string) => number | undefined;

function strptime(pattern: string): TimeCellParser | undefined {
  const fields: Field[] = [];
  let source = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch !== '%') {
      source += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      continue;
    }
    const directive = pattern[++i] as Field | undefined;
    if (directive === undefined || !(directive in WIDTH)) return undefined;
    fields.push(directive);
    source += WIDTH[directive];
  }
  if (pattern === '%Y%m%d') source = '^(\\d{4})(\\d{2})(\\d{2})';
  const re = new RegExp(`${source}$`);
  return (raw) => {
    const match = re.exec(raw);
    if (!match) return undefined;
    const v = { Y: 1970, m: 1, d: 1, H: 0, M: 0, S: 0, f: 0 };
    for (let k = 0; k < fields.length; k++) {
      const text = match[k + 1]!;
      const field = fields[k]!;
      // %f is a fraction of a second: ".5" is 500 ms. Sub-millisecond digits are left to duckdb.
      if (field === 'f') {
        const micros = Number(text.padEnd(6, '0'));
        if (micros % 1000 !== 0) return undefined;
        v.f = micros / 1000;
      } else v[field] = Number(text);
    }
    if (v.Y < 100 || v.m < 1 || v.m > 12 || v.d < 1 || v.d > daysIn(v.Y, v.m)) return undefined;
    if (v.H > 23 || v.M > 59 || v.S > 59) return undefined;
    // Date.UTC maps years 0-99 to 1900+: those (never real data) are left to duckdb above.
    return Date.UTC(v.Y, v.m - 1, v.d, v.H, v.M, v.S, v.f);
  };
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const daysIn = (y: number, m: number) =>
  m === 2 && y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : MONTH_DAYS[m - 1]!;

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
