/** Settle how a source's time column is read: the given format, or one detected from its values. */
import { DataError } from '../../runtime/errors.js';
import { type Duck, sql } from './duckdb.js';
import type { Source } from './read-file.js';
import {
  describeTimeFormat,
  detectTimeFormat,
  parseTimeFormat,
  type TimeFormat,
  timeSql,
} from './timestamps.js';

/** The format chosen for a time column and whether it was detected rather than given. */
export interface ResolvedTime {
  readonly format: TimeFormat;
  readonly inferred: boolean;
}

const SAMPLE_HEAD = 500;
const SAMPLE_SPREAD = 1000;

/** The first rows plus rows spread evenly over the file: enough to see days above 12. */
function sample(duck: Duck, source: Source): string[] {
  const step = Math.max(1, Math.ceil(source.rows / SAMPLE_SPREAD));
  const result = sql(
    duck,
    `SELECT CAST(traw AS VARCHAR) AS v FROM ${source.table}
     WHERE traw IS NOT NULL AND (__row <= ${SAMPLE_HEAD} OR __row % ${step} = 0) ORDER BY __row`,
  );
  return Array.from(result.getChild('v')!.toArray() as ArrayLike<string>).filter((v) => v.trim() !== '');
}

const quoteList = (values: readonly string[]) => values.map((v) => `"${v}"`).join(', ');

/** Day-first or month-first, decided by the largest first and second fields over the whole column. */
function dayOrMonth(
  duck: Duck,
  source: Source,
  column: string,
  dayFirst: string,
  monthFirst: string,
  example: string,
): TimeFormat {
  const field = (k: number) =>
    `max(TRY_CAST(regexp_extract(traw, '^\\s*(\\d{1,2})\\D(\\d{1,2})\\D', ${k}) AS INTEGER))`;
  const row = sql(duck, `SELECT ${field(1)} AS a, ${field(2)} AS b FROM ${source.table}`).get(0)!;
  const [a, b] = [Number(row['a']), Number(row['b'])];
  if (a > 12 && b <= 12) return { kind: 'strptime', pattern: dayFirst };
  if (b > 12 && a <= 12) return { kind: 'strptime', pattern: monthFirst };
  const why =
    a > 12
      ? 'both of the first two fields exceed 12 somewhere, so neither day-first nor month-first reads every value'
      : 'no value has a field above 12 to tell day from month';
  throw new DataError(
    `time column "${column}" is ambiguous: values such as "${example}" read as day-first (${dayFirst}) or month-first (${monthFirst}), and ${why}; pass timeFormat`,
    { column, example, candidates: [dayFirst, monthFirst] },
  );
}

/**
 * Choose the time format for `source`: typed Parquet timestamps as they are, else `given`
 * (`epoch_s`, `epoch_ms` or a strptime pattern, checked against a sample), else detected.
 */
export function resolveTimeFormat(duck: Duck, source: Source, column: string, given?: string): ResolvedTime {
  if (source.timeKind === 'timestamp')
    return { format: { kind: 'timestamp' }, inferred: given === undefined };
  const values = sample(duck, source);
  const example = values[0] ?? '';
  if (given !== undefined) {
    const format = parseTimeFormat(given);
    checkSample(duck, source, column, format, example);
    return { format, inferred: false };
  }
  if (source.timeKind === 'number') {
    const max = Number(sql(duck, `SELECT max(abs(traw)) AS m FROM ${source.table}`).get(0)!['m']);
    return { format: { kind: 'epoch', unit: max >= 1e11 ? 'ms' : 's' }, inferred: true };
  }
  const found = detectTimeFormat(values);
  if (found.kind === 'found') return { format: found.format, inferred: true };
  if (found.kind === 'day-or-month') {
    return {
      format: dayOrMonth(duck, source, column, found.dayFirst, found.monthFirst, example),
      inferred: true,
    };
  }
  throw new DataError(
    `could not detect the time format of column "${column}" from values such as ${quoteList(values.slice(0, 3))}; ` +
      'pass timeFormat: a strptime pattern such as "%d-%m-%Y %H:%M", or epoch_s / epoch_ms',
    { column, examples: values.slice(0, 3), tried: found.tried },
  );
}

/** Fail fast on a given format that reads none of the first values (or is not a valid pattern). */
function checkSample(duck: Duck, source: Source, column: string, format: TimeFormat, example: string): void {
  const numeric = source.timeKind === 'number';
  let parsed: number;
  try {
    const head = `SELECT traw FROM ${source.table} WHERE traw IS NOT NULL ORDER BY __row LIMIT 100`;
    parsed = Number(
      sql(duck, `SELECT count(${timeSql(format, 'traw', numeric)}) AS n FROM (${head})`).get(0)!['n'],
    );
  } catch (error) {
    throw new DataError(
      `time format "${describeTimeFormat(format)}" for column "${column}" is not a valid strptime pattern: ${(error as Error).message}`,
      { column, format: describeTimeFormat(format) },
      error,
    );
  }
  if (parsed === 0 && example !== '') {
    throw new DataError(
      `time column "${column}": format "${describeTimeFormat(format)}" reads none of the first values, e.g. "${example}"`,
      { column, format: describeTimeFormat(format), example },
    );
  }
}
