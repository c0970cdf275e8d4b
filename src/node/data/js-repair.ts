/**
 * The repairs of repair.ts and time-column.ts in plain loops, for files the JS path reads: same
 * steps, same report. Every case that would be an error there hands over to duckdb (EngineNeeded),
 * so error messages come from one place.
 */
import { type AssembledLoad, type AssembleOptions, assembleResult } from './assemble.js';
import { EngineNeeded, needEngineUnless } from './engine-needed.js';
import { type TimeCellParser, timeCellParser } from './js-cells.js';
import type { TimeSource } from './js-read.js';
import type { FileFormat } from './read-file.js';
import type { Gaps, InvalidValues } from './repair.js';
import type { ResolvedTime } from './time-column.js';
import { detectTimeFormat, formatPeriod, formatTimestamp, parseTimeFormat } from './timestamps.js';

const SAMPLE_HEAD = 500;
const SAMPLE_SPREAD = 1000;
const EXAMPLES = 5;
const MAX_ROWS = 50_000_000;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * The time format of a text column, as `resolveTimeFormat` settles it (the same sample: the first
 * rows and rows spread evenly; day-first or month-first from a scan of the whole column), with its
 * strict JS reader.
 */
export async function resolveTimeJs(
  source: TimeSource,
  given: string | undefined,
): Promise<ResolvedTime & { parse: TimeCellParser }> {
  let format: ResolvedTime['format'];
  if (given !== undefined) format = parseTimeFormat(given);
  else {
    const step = Math.max(1, Math.ceil(source.rows / SAMPLE_SPREAD));
    const found = detectTimeFormat(await source.sample((row) => row <= SAMPLE_HEAD || row % step === 0));
    needEngineUnless(found.kind !== 'none', 'time format not detected');
    if (found.kind === 'day-or-month')
      format = { kind: 'strptime', pattern: await dayOrMonth(source, found) };
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
async function dayOrMonth(
  source: TimeSource,
  found: { dayFirst: string; monthFirst: string },
): Promise<string> {
  let a = 0;
  let b = 0;
  await source.forEachCell((v) => {
    const m = LEADING_FIELDS.exec(v);
    if (!m) return;
    a = Math.max(a, Number(m[1]));
    b = Math.max(b, Number(m[2]));
  });
  if (a > 12 && b <= 12) return found.dayFirst;
  if (b > 12 && a <= 12) return found.monthFirst;
  throw new EngineNeeded('day-first or month-first is ambiguous');
}

/**
 * One series as rows of the whole file's columns (nothing copied): `index` holds its 0-based data rows
 * in file order; `time` and `values` are the file's (NaN where a cell is not a number), `examples` the
 * series' first such cell per column.
 */
export interface RawSeries {
  readonly index: ArrayLike<number>;
  readonly time: Float64Array;
  readonly values: readonly Float64Array[];
  readonly examples: ReadonlyArray<InvalidValues['example']>;
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
  const k = raw.values.length;
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) t[i] = raw.time[index[i]!]!;
  const invalid: InvalidValues[] = [];
  const values: Float64Array[] = [];
  for (let c = 0; c < k; c++) {
    const column = raw.values[c]!;
    const v = new Float64Array(n);
    let count = 0;
    for (let i = 0; i < n; i++) {
      const x = column[index[i]!]!;
      if (Number.isNaN(x)) count++;
      v[i] = x;
    }
    needEngineUnless(count < n, 'a column has no numeric values');
    const example = raw.examples[c];
    invalid.push(count > 0 && example ? { count, example } : { count });
    values.push(v);
  }
  let outOfOrder = 0;
  for (let i = 1; i < n; i++) if (t[i]! < t[i - 1]!) outOfOrder++;

  // Stable sort by time: ties keep file order, which `first` / `last` rely on.
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (outOfOrder > 0) order.sort((x, y) => t[x]! - t[y]! || x - y);
  // Typed and sized for the worst case (no duplicates): ~8 bytes a cell however large the series.
  const times = new Float64Array(n);
  const merged = values.map(() => new Float64Array(n));
  let m = 0;
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
    times[m] = t[order[s]!]!;
    for (let c = 0; c < k; c++) merged[c]![m] = mergeGroup(values[c]!, order, s, e, o.duplicates);
    m++;
    s = e;
  }
  const unique = times.subarray(0, m);
  const gaps = findGapsJs(unique, o.periodMs);
  needEngineUnless(gaps.count === 0 || o.gaps !== 'error', 'gaps under the error policy');
  const rows = regularJs(
    unique,
    merged.map((v) => v.subarray(0, m)),
    gaps,
  );
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
function mergeGroup(v: Float64Array, order: Uint32Array, s: number, e: number, policy: string): number {
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
function findGapsJs(times: Float64Array, periodMs: number | undefined): Gaps {
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
  times: Float64Array,
  values: readonly Float64Array[],
  gaps: Gaps,
): { time: Float64Array; values: Float64Array[] } {
  if (gaps.missingRows === 0) return { time: times.slice(), values: values.map((v) => v.slice()) };
  const p = gaps.periodMs;
  const first = times[0]!;
  const n = (times[times.length - 1]! - first) / p + 1;
  const time = new Float64Array(n);
  for (let i = 0; i < n; i++) time[i] = first + i * p;
  const out = values.map((v) => {
    const column = new Float64Array(n).fill(Number.NaN);
    for (let j = 0; j < times.length; j++) column[(times[j]! - first) / p] = v[j]!;
    return column;
  });
  return { time, values: out };
}
