/** Time formats: detect one from sample values, name it, and format epoch milliseconds back to text. */

import { fieldReader } from './strptime.js';

/** How a time column is read: a strptime pattern, epoch numbers, or a typed timestamp column. */
export type TimeFormat =
  | { kind: 'strptime'; pattern: string }
  | { kind: 'epoch'; unit: 's' | 'ms' }
  | { kind: 'timestamp' };

/** What a sample says about its format. */
export type Detection =
  | { kind: 'found'; format: TimeFormat }
  /** Both day-first and month-first fit every sampled value; the whole column must decide. */
  | { kind: 'day-or-month'; dayFirst: string; monthFirst: string }
  | { kind: 'none'; tried: string[] };

const DATES = [
  '%Y-%m-%d',
  '%Y/%m/%d',
  '%d-%m-%Y',
  '%d/%m/%Y',
  '%d.%m.%Y',
  '%m/%d/%Y',
  '%m-%d-%Y',
  '%m.%d.%Y',
];
const TIMES = ['', ' %H:%M', ' %H:%M:%S', ' %H:%M:%S.%f'];
const ISO_T = ['T%H:%M', 'T%H:%M:%S', 'T%H:%M:%S.%f', 'T%H:%M:%SZ', 'T%H:%M:%S.%fZ'];

/** Every pattern auto-detection tries, in order of preference. */
export const CANDIDATE_PATTERNS: readonly string[] = [
  ...DATES.flatMap((date) => TIMES.map((time) => date + time)),
  ...ISO_T.map((time) => `%Y-%m-%d${time}`),
  '%Y%m%d',
];

const EPOCH_RE = /^\s*-?\d+(\.\d+)?\s*$/;
type Matcher = (text: string) => boolean;

/** A strict checker for the candidate patterns (duckdb's strptime accepts at least as much). */
function matcher(pattern: string): Matcher {
  const read = fieldReader(pattern, true)!;
  return (text) => read(text) !== undefined;
}

const matchers = new Map(CANDIDATE_PATTERNS.map((p) => [p, matcher(p)]));

/**
 * Find the time format that reads the most values of `sample` (non-empty strings); a few bad
 * values do not hide the format, they are reported when the whole column is parsed.
 * Numbers are epoch seconds, or milliseconds when any exceeds 1e11 (1973 in ms, year 5138 in s);
 * 8-digit numbers that are all valid dates read as `%Y%m%d`.
 */
export function detectTimeFormat(sample: readonly string[]): Detection {
  const count = (test: Matcher) => sample.reduce((n, v) => n + (test(v) ? 1 : 0), 0);
  let best = 0;
  let fits: string[] = [];
  for (const pattern of CANDIDATE_PATTERNS) {
    const n = count(matchers.get(pattern)!);
    if (n > best) [best, fits] = [n, [pattern]];
    else if (n === best && n > 0) fits.push(pattern);
  }
  const numbers = sample.filter((v) => EPOCH_RE.test(v));
  if (numbers.length > best) {
    const big = numbers.some((v) => Math.abs(Number(v)) >= 1e11);
    return { kind: 'found', format: { kind: 'epoch', unit: big ? 'ms' : 's' } };
  }
  const first = fits[0];
  if (first === undefined) return { kind: 'none', tried: [...CANDIDATE_PATTERNS, 'epoch_s', 'epoch_ms'] };
  if (first.startsWith('%d')) {
    const monthFirst = `%m${first[2]}%d${first.slice(5)}`;
    if (fits.includes(monthFirst)) return { kind: 'day-or-month', dayFirst: first, monthFirst };
  }
  return { kind: 'found', format: { kind: 'strptime', pattern: first } };
}

/** Read a `timeFormat` option: `epoch_s`, `epoch_ms`, or a strptime pattern such as `%d-%m-%Y %H:%M`. */
export function parseTimeFormat(text: string): TimeFormat {
  if (text === 'epoch_s' || text === 'epoch_ms')
    return { kind: 'epoch', unit: text === 'epoch_s' ? 's' : 'ms' };
  return { kind: 'strptime', pattern: text };
}

/** The name a format goes by in reports and options. */
export function describeTimeFormat(format: TimeFormat): string {
  if (format.kind === 'strptime') return format.pattern;
  if (format.kind === 'epoch') return `epoch_${format.unit}`;
  return 'timestamp';
}

/** SQL turning `raw` (VARCHAR, or DOUBLE for numeric columns) into BIGINT epoch ms, NULL when unreadable. */
export function timeSql(format: TimeFormat, raw: string, numeric: boolean): string {
  if (format.kind === 'strptime')
    return `epoch_ms(try_strptime(${numeric ? `CAST(${raw} AS VARCHAR)` : raw}, '${format.pattern.replaceAll("'", "''")}'))`;
  const value = numeric ? raw : `TRY_CAST(${raw} AS DOUBLE)`;
  const scaled = format.kind === 'epoch' && format.unit === 's' ? `${value} * 1000` : value;
  // ±1e300 or NaN become 9e18 so the range check reports them, instead of failing the cast; NULL stays NULL.
  return `CAST(round(CASE WHEN abs(${scaled}) <= 9e18 THEN ${scaled} WHEN ${scaled} IS NOT NULL THEN 9e18 END) AS BIGINT)`;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `YYYY-MM-DD HH:MM`, with `:SS` and `.mmm` only when non-zero. */
export function formatTimestamp(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const d = new Date(ms);
  let text = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  if (d.getUTCSeconds() || d.getUTCMilliseconds()) text += `:${pad(d.getUTCSeconds())}`;
  if (d.getUTCMilliseconds()) text += `.${pad(d.getUTCMilliseconds(), 3)}`;
  return text;
}

/** A period in milliseconds as a period string `parsePeriod` reads back: `1h`, `15min`, `1D`, `7D`, `30s`. */
export function formatPeriod(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}D`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}min`;
  return `${ms / 1000}s`;
}
