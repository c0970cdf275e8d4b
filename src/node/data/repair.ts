/** The repairs, in SQL: parse and count bad values, find disorder, merge duplicates, regularise to the period. */
import { DataError } from '../../runtime/errors.js';
import { checkTimeInRange, MAX_TIME_MS, MIN_TIME_MS } from '../../runtime/time-range.js';
import { type Duck, type Scratch, sql } from './duckdb.js';
import type { Source } from './read-file.js';
import { describeTimeFormat, formatPeriod, formatTimestamp, type TimeFormat, timeSql } from './timestamps.js';

/** What to do with rows sharing a timestamp. */
export const DUPLICATE_POLICIES = ['mean', 'first', 'last', 'error'] as const;
export type DuplicatePolicy = (typeof DUPLICATE_POLICIES)[number];

/** What to do with missing periods. */
export const GAP_POLICIES = ['interpolate', 'keep', 'error'] as const;
export type GapPolicy = (typeof GAP_POLICIES)[number];

/** Values of a requested column that are empty or not finite numbers. */
export interface InvalidValues {
  readonly count: number;
  /** First offending raw value and its data row (1-based, header excluded). */
  readonly example?: { value: string; row: number };
}

/** Parsed rows in a temp table (`__row`, `__t` epoch ms, `v0..vk` DOUBLE or NULL). */
export interface Staged {
  readonly table: string;
  /** Rows whose timestamp is earlier than the row before them, as read. */
  readonly outOfOrder: number;
  readonly invalid: readonly InvalidValues[];
}

const EXAMPLES = 5;
const MAX_ROWS = 50_000_000;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const shown = (raw: string) => (raw === '' ? '(empty)' : `"${raw}"`);

/** Parse times and numbers; fail on the first unreadable timestamp, count unreadable numbers. */
export function stageRows(
  duck: Duck,
  scratch: Scratch,
  source: Source,
  format: TimeFormat,
  timeColumn: string,
): Staged {
  const k = source.kinds.length;
  const idx = Array.from({ length: k }, (_, i) => i);
  const cast = (i: number) =>
    source.kinds[i] === 'text' ? `TRY_CAST(r${i} AS DOUBLE)` : `CAST(r${i} AS DOUBLE)`;
  const table = scratch.table('stage');
  const numericTime = source.timeKind !== 'text';
  sql(
    duck,
    `CREATE TEMP TABLE ${table} AS
     SELECT __row, __t, traw${idx.map((i) => `, CASE WHEN isfinite(x${i}) THEN x${i} END AS v${i}, r${i}`).join('')}
     FROM (SELECT __row, ${timeSql(format, 'traw', numericTime)} AS __t, traw${idx.map((i) => `, ${cast(i)} AS x${i}, r${i}`).join('')}
           FROM ${source.table})`,
  );

  const bad = sql(
    duck,
    `SELECT __row, coalesce(CAST(traw AS VARCHAR), '') AS raw, count(*) OVER () AS n
     FROM ${table} WHERE __t IS NULL ORDER BY __row LIMIT 3`,
  );
  if (bad.numRows > 0) {
    const first = bad.get(0)!;
    const examples = bad.toArray().map((r) => ({ row: Number(r['__row']), value: String(r['raw']) }));
    throw new DataError(
      `time column "${timeColumn}": ${plural(Number(first['n']), 'value')} not readable as ${describeTimeFormat(format)}; ` +
        `first at row ${first['__row']}: ${shown(String(first['raw']))}`,
      { column: timeColumn, format: describeTimeFormat(format), examples },
    );
  }
  const outside = sql(
    duck,
    `SELECT __row, __t, coalesce(CAST(traw AS VARCHAR), '') AS raw FROM ${table}
     WHERE __t < ${MIN_TIME_MS} OR __t > ${MAX_TIME_MS} ORDER BY __row LIMIT 1`,
  );
  if (outside.numRows > 0) {
    const row = outside.get(0)!;
    checkTimeInRange(
      Number(row['__t']),
      `time column "${timeColumn}" row ${row['__row']}`,
      String(row['raw']),
    );
  }

  const counts = k
    ? sql(
        duck,
        `SELECT ${idx
          .map(
            (i) => `count(*) FILTER (v${i} IS NULL) AS n${i}, min(__row) FILTER (v${i} IS NULL) AS row${i},
                    arg_min(coalesce(CAST(r${i} AS VARCHAR), ''), __row) FILTER (v${i} IS NULL) AS ex${i}`,
          )
          .join(', ')} FROM ${table}`,
      ).get(0)!
    : undefined;
  const invalid = idx.map((i): InvalidValues => {
    const count = Number(counts?.[`n${i}`] ?? 0);
    if (count === 0) return { count };
    return { count, example: { value: String(counts?.[`ex${i}`] ?? ''), row: Number(counts?.[`row${i}`]) } };
  });

  const outOfOrder = Number(
    sql(
      duck,
      `SELECT count(*) AS n FROM (SELECT __t < lag(__t) OVER (ORDER BY __row) AS back FROM ${table}) WHERE back`,
    ).get(0)!['n'],
  );
  return { table, outOfOrder, invalid };
}

/** Timestamps that occurred more than once and how they were merged. */
export interface Duplicates {
  /** Table with one row per timestamp (`__t`, `v0..vk`). */
  readonly table: string;
  /** Distinct timestamps that occurred more than once. */
  readonly count: number;
  /** Rows removed by merging: occurrences beyond the first. */
  readonly extraRows: number;
  readonly examples: readonly string[];
}

/** Merge rows sharing a timestamp by `policy` (mean of valid values, first or last in file order). */
export function deduplicate(
  duck: Duck,
  scratch: Scratch,
  staged: Staged,
  k: number,
  policy: DuplicatePolicy,
  timeColumn: string,
): Duplicates {
  const groups = `SELECT __t, count(*) AS c FROM ${staged.table} GROUP BY __t HAVING count(*) > 1`;
  const totals = sql(duck, `SELECT count(*) AS n, coalesce(sum(c), 0) AS r FROM (${groups})`).get(0)!;
  const count = Number(totals['n']);
  if (count === 0) return { table: staged.table, count: 0, extraRows: 0, examples: [] };
  const examples = sql(duck, `${groups} ORDER BY __t LIMIT ${EXAMPLES}`)
    .toArray()
    .map((r) => `${formatTimestamp(Number(r['__t']))} (${Number(r['c'])} rows)`);
  const extraRows = Number(totals['r']) - count;
  if (policy === 'error') {
    throw new DataError(
      `${plural(count, 'timestamp')} in column "${timeColumn}" occur more than once, e.g. ${examples.join(', ')}; ` +
        'set duplicates to mean, first or last to merge them',
      { column: timeColumn, count, examples },
    );
  }
  const idx = Array.from({ length: k }, (_, i) => i);
  const table = scratch.table('dedup');
  const body =
    policy === 'mean'
      ? `SELECT __t${idx.map((i) => `, avg(v${i}) AS v${i}`).join('')} FROM ${staged.table} GROUP BY __t`
      : `SELECT __t${idx.map((i) => `, v${i}`).join('')} FROM ${staged.table}
         QUALIFY row_number() OVER (PARTITION BY __t ORDER BY __row ${policy === 'first' ? 'ASC' : 'DESC'}) = 1`;
  sql(duck, `CREATE TEMP TABLE ${table} AS ${body}`);
  return { table, count, extraRows, examples };
}

/** The period and the gaps found against it. */
export interface Gaps {
  readonly periodMs: number;
  readonly period: string;
  readonly periodInferred: boolean;
  /** Runs of consecutive missing periods. */
  readonly count: number;
  readonly missingRows: number;
  readonly examples: readonly string[];
}

/** Infer the period as the most common step (smallest on ties) or take `periodMs`; find the gaps. */
export function findGaps(duck: Duck, table: string, periodMs: number | undefined, timeColumn: string): Gaps {
  const steps = `SELECT __t, __t - lag(__t) OVER (ORDER BY __t) AS d FROM ${table}`;
  let p = periodMs;
  if (p === undefined) {
    const mode = sql(
      duck,
      `SELECT d FROM (${steps}) WHERE d IS NOT NULL GROUP BY d ORDER BY count(*) DESC, d LIMIT 1`,
    );
    if (mode.numRows === 0) {
      throw new DataError(
        `cannot infer the period from a single timestamp in column "${timeColumn}"; pass period`,
        {
          column: timeColumn,
        },
      );
    }
    p = Number(mode.get(0)!['d']);
  }
  const period = formatPeriod(p);
  const start = `(SELECT min(__t) FROM ${table})`;
  const stats = sql(
    duck,
    `SELECT count(*) FILTER ((__t - ${start}) % ${p} <> 0) AS off,
            count(*) FILTER (d > ${p}) AS runs, coalesce(sum(d // ${p} - 1) FILTER (d > ${p}), 0) AS missing,
            (max(__t) - min(__t)) // ${p} + 1 AS span
     FROM (${steps})`,
  ).get(0)!;
  const off = Number(stats['off']);
  if (off > 0) {
    const examples = sql(
      duck,
      `SELECT __t FROM ${table} WHERE (__t - ${start}) % ${p} <> 0 ORDER BY __t LIMIT 3`,
    )
      .toArray()
      .map((r) => formatTimestamp(Number(r['__t'])));
    throw new DataError(
      `${plural(off, 'timestamp')} in column "${timeColumn}" fall between the ${period} steps that start at the first one, ` +
        `e.g. ${examples.join(', ')}; pass the period of the data, or resample it first`,
      { column: timeColumn, period, count: off, examples },
    );
  }
  if (Number(stats['span']) > MAX_ROWS) {
    throw new DataError(
      `a ${period} grid over this data would have ${stats['span']} rows; is the period right?`,
      { period },
    );
  }
  const runs = Number(stats['runs']);
  const examples = runs
    ? sql(
        duck,
        `SELECT __t - d + ${p} AS s, d // ${p} - 1 AS n FROM (${steps}) WHERE d > ${p} ORDER BY __t LIMIT ${EXAMPLES}`,
      )
        .toArray()
        .map((r) => `${formatTimestamp(Number(r['s']))} (${plural(Number(r['n']), 'row')})`)
    : [];
  return {
    periodMs: p,
    period,
    periodInferred: periodMs === undefined,
    count: runs,
    missingRows: Number(stats['missing']),
    examples,
  };
}

/** Rows in time order on the full grid (missing periods inserted, values NaN), as Float64Arrays. */
export function regularRows(
  duck: Duck,
  table: string,
  k: number,
  gaps: Gaps,
): { time: Float64Array; values: Float64Array[] } {
  const idx = Array.from({ length: k }, (_, i) => i);
  const values = idx.map((i) => `, coalesce(d.v${i}, 'NaN'::DOUBLE) AS v${i}`).join('');
  const p = gaps.periodMs;
  const from =
    gaps.missingRows > 0
      ? `range((SELECT min(__t) FROM ${table}), (SELECT max(__t) FROM ${table}) + ${p}, ${p}) g(__t) LEFT JOIN ${table} d USING (__t)`
      : `${table} d`;
  const result = sql(duck, `SELECT CAST(__t AS DOUBLE) AS t${values} FROM ${from} ORDER BY __t`);
  return {
    time: result.getChild('t')!.toArray() as Float64Array,
    values: idx.map((i) => result.getChild(`v${i}`)!.toArray() as Float64Array),
  };
}
