/**
 * The repairs of repair.ts and time-column.ts in plain loops, for files the JS path reads: same
 * steps, same report. Every case that would be an error there hands over to duckdb (EngineNeeded),
 * so error messages come from one place.
 */
import { MAX_TIME_MS, MIN_TIME_MS } from '../../runtime/time-range.js';
import { type AssembledLoad, type AssembleOptions, assembleResult } from './assemble.js';
import { EngineNeeded, needEngineUnless } from './engine-needed.js';
import { numberCell, type TimeCellParser, timeCellParser } from './js-cells.js';
import type { FileFormat } from './read-file.js';
import type { Gaps, InvalidValues } from './repair.js';
import type { ResolvedTime } from './time-column.js';
import { detectTimeFormat, formatPeriod, formatTimestamp, parseTimeFormat } from './timestamps.js';

const SAMPLE_HEAD = 500;
const SAMPLE_SPREAD = 1000;
const EXAMPLES = 5;
const MAX_ROWS = 50_000_000;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The time format of a text column, as `resolveTimeFormat` settles it, with its strict JS reader. */
export function resolveTimeJs(
  cells: readonly string[],
  given: string | undefined,
): ResolvedTime & { parse: TimeCellParser } {
  let format: ResolvedTime['format'];
  if (given !== undefined) format = parseTimeFormat(given);
  else {
    const step = Math.max(1, Math.ceil(cells.length / SAMPLE_SPREAD));
    const sample: string[] = [];
    cells.forEach((v, i) => {
      const row = i + 1;
      if (v.trim() !== '' && (row <= SAMPLE_HEAD || row % step === 0)) sample.push(v);
    });
    const found = detectTimeFormat(sample);
    needEngineUnless(found.kind !== 'none', 'time format not detected');
    if (found.kind === 'day-or-month') format = { kind: 'strptime', pattern: dayOrMonth(cells, found) };
    else format = found.format;
  }
  const parse = timeCellParser(format);
  needEngineUnless(
    parse !== undefined,
    `time format ${JSON.stringify(given)} has directives the JS path does not read`,
  );
  return { format, inferred: given === undefined, parse };
}

const LEADING_FIELDS = /^\s*(\d{1,2})\D(\d{1,2})\D/;

/** Day-first or month-first by the largest first and second fields over the whole column. */
function dayOrMonth(cells: readonly string[], found: { dayFirst: string; monthFirst: string }): string {
  let a = 0;
  let b = 0;
  for (const v of cells) {
    const m = LEADING_FIELDS.exec(v);
    if (!m) continue;
    a = Math.max(a, Number(m[1]));
    b = Math.max(b, Number(m[2]));
  }
  if (a > 12 && b <= 12) return found.dayFirst;
  if (b > 12 && a <= 12) return found.monthFirst;
  throw new EngineNeeded('day-first or month-first is ambiguous');
}

/**
 * One series as rows of the whole file's columns (nothing copied): `index` holds its 0-based data rows
 * in file order; `time` (from `parseTimes`) and `columns` are the file's.
 */
export interface RawSeries {
  readonly index: ArrayLike<number>;
  readonly time: Float64Array;
  readonly columns: readonly (readonly string[])[];
}

const MEMO_LIMIT = 200_000;

/**
 * A whole time column as epoch ms, each cell parsed by the strict reader (repeats, as in a panel where
 * every series has the same hours, from a memo). Any cell it does not read, or outside the supported
 * range, hands over to duckdb.
 */
export function parseTimes(cells: readonly string[], parse: TimeCellParser): Float64Array {
  const out = new Float64Array(cells.length);
  const memo = new Map<string, number>();
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i]!;
    let ms = memo.get(cell);
    if (ms === undefined) {
      const parsed = parse(cell);
      needEngineUnless(
        parsed !== undefined && parsed >= MIN_TIME_MS && parsed <= MAX_TIME_MS,
        'a timestamp needs duckdb',
      );
      ms = parsed;
      if (memo.size < MEMO_LIMIT) memo.set(cell, ms);
    }
    out[i] = ms;
  }
  return out;
}

/** Parsed load options `repairJs` reads. */
export interface RepairJsOptions extends AssembleOptions {
  readonly periodMs: number | undefined;
}

/** Parse, check, merge duplicates, find gaps and regularise one series: `repairSource` in plain loops. */
export function repairJs(
  raw: RawSeries,
  time: ResolvedTime,
  o: RepairJsOptions,
  path: string,
  format: FileFormat,
  started: number,
): AssembledLoad {
  const { index } = raw;
  const n = index.length;
  const k = raw.columns.length;
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) t[i] = raw.time[index[i]!]!;
  const invalid: InvalidValues[] = [];
  const values: Float64Array[] = [];
  for (let c = 0; c < k; c++) {
    const cells = raw.columns[c]!;
    const v = new Float64Array(n);
    let count = 0;
    let example: InvalidValues['example'];
    for (let i = 0; i < n; i++) {
      const cell = cells[index[i]!]!;
      const x = numberCell(cell);
      needEngineUnless(x !== undefined, 'a value cell needs duckdb');
      if (x === null) {
        v[i] = Number.NaN;
        count++;
        example ??= { value: cell, row: index[i]! + 1 };
      } else v[i] = x;
    }
    needEngineUnless(count < n, 'a column has no numeric values');
    invalid.push(example ? { count, example } : { count });
    values.push(v);
  }
  let outOfOrder = 0;
  for (let i = 1; i < n; i++) if (t[i]! < t[i - 1]!) outOfOrder++;

  // Stable sort by time: ties keep file order, which `first` / `last` rely on.
  const order = Array.from({ length: n }, (_, i) => i);
  if (outOfOrder > 0) order.sort((x, y) => t[x]! - t[y]! || x - y);
  const times: number[] = [];
  const merged: number[][] = values.map(() => []);
  let dupCount = 0;
  let extraRows = 0;
  const dupExamples: string[] = [];
  for (let s = 0; s < n; ) {
    let e = s + 1;
    while (e < n && t[order[e]!] === t[order[s]!]) e++;
    const size = e - s;
    if (size > 1) {
      needEngineUnless(o.duplicates !== 'error', 'duplicated timestamps under the error policy');
      dupCount++;
      extraRows += size - 1;
      if (dupExamples.length < EXAMPLES) dupExamples.push(`${formatTimestamp(t[order[s]!]!)} (${size} rows)`);
    }
    times.push(t[order[s]!]!);
    for (let c = 0; c < k; c++) merged[c]!.push(mergeGroup(values[c]!, order, s, e, o.duplicates));
    s = e;
  }
  const gaps = findGapsJs(times, o.periodMs);
  needEngineUnless(gaps.count === 0 || o.gaps !== 'error', 'gaps under the error policy');
  const rows = regularJs(times, merged, gaps);
  return assembleResult({
    path,
    format,
    rowsRead: n,
    engine: 'js',
    time,
    options: o,
    outOfOrder,
    invalid,
    duplicates: { count: dupCount, extraRows, examples: dupExamples },
    gaps,
    rows,
    started,
  });
}

/** One value for the rows `order[s..e)` sharing a timestamp: mean of the valid ones, or the first / last. */
function mergeGroup(v: Float64Array, order: number[], s: number, e: number, policy: string): number {
  if (e - s === 1) return v[order[s]!]!;
  if (policy === 'first') return v[order[s]!]!;
  if (policy === 'last') return v[order[e - 1]!]!;
  let sum = 0;
  let count = 0;
  for (let j = s; j < e; j++) {
    const x = v[order[j]!]!;
    if (!Number.isNaN(x)) {
      sum += x;
      count++;
    }
  }
  return count === 0 ? Number.NaN : sum / count;
}

/** `findGaps` over sorted unique times. */
function findGapsJs(times: readonly number[], periodMs: number | undefined): Gaps {
  let p = periodMs;
  if (p === undefined) {
    const counts = new Map<number, number>();
    for (let i = 1; i < times.length; i++) {
      const d = times[i]! - times[i - 1]!;
      counts.set(d, (counts.get(d) ?? 0) + 1);
    }
    let best = -1;
    for (const [d, c] of counts) {
      const bestCount = counts.get(best) ?? 0;
      if (c > bestCount || (c === bestCount && d < best)) best = d;
    }
    needEngineUnless(best > 0, 'the period cannot be inferred');
    p = best;
  }
  const first = times[0]!;
  let runs = 0;
  let missing = 0;
  const examples: string[] = [];
  for (let i = 0; i < times.length; i++) {
    needEngineUnless((times[i]! - first) % p === 0, 'timestamps fall between the steps');
    if (i === 0) continue;
    const d = times[i]! - times[i - 1]!;
    if (d > p) {
      runs++;
      missing += d / p - 1;
      if (examples.length < EXAMPLES)
        examples.push(`${formatTimestamp(times[i - 1]! + p)} (${plural(d / p - 1, 'row')})`);
    }
  }
  needEngineUnless((times[times.length - 1]! - first) / p + 1 <= MAX_ROWS, 'the grid would be too large');
  return {
    periodMs: p,
    period: formatPeriod(p),
    periodInferred: periodMs === undefined,
    count: runs,
    missingRows: missing,
    examples,
  };
}

/** The rows on the full grid, missing periods as NaN. */
function regularJs(
  times: readonly number[],
  values: readonly number[][],
  gaps: Gaps,
): { time: Float64Array; values: Float64Array[] } {
  if (gaps.missingRows === 0)
    return { time: Float64Array.from(times), values: values.map((v) => Float64Array.from(v)) };
  const p = gaps.periodMs;
  const first = times[0]!;
  const n = (times[times.length - 1]! - first) / p + 1;
  const time = new Float64Array(n);
  for (let i = 0; i < n; i++) time[i] = first + i * p;
  const out = values.map((v) => {
    const column = new Float64Array(n).fill(Number.NaN);
    times.forEach((ms, j) => {
      column[(ms - first) / p] = v[j]!;
    });
    return column;
  });
  return { time, values: out };
}
