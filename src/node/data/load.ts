/** Load a data file into a regular Frame and an Arrow table, repairing it and reporting every repair. */

import type { Table } from 'apache-arrow';
import { z } from 'zod';
import { DataError } from '../../runtime/errors.js';
import type { Frame } from '../../runtime/frame.js';
import { parsePeriod, tryParsePeriod } from '../../runtime/period.js';
import { parseWith } from '../../runtime/schemas/parse.js';
import { assembleResult } from './assemble.js';
import { type Duck, getDuckDB, Scratch } from './duckdb.js';
import { EngineNeeded } from './engine-needed.js';
import { namingFile } from './file-error.js';
import { loadDataJs } from './js-load.js';
import { checkFile, readSource, type Source } from './read-file.js';
import {
  DUPLICATE_POLICIES,
  type DuplicatePolicy,
  deduplicate,
  findGaps,
  GAP_POLICIES,
  type GapPolicy,
  regularRows,
  stageRows,
} from './repair.js';
import type { LoadReport } from './report.js';
import { type ResolvedTime, resolveTimeFormat } from './time-column.js';

export { frameTable } from './assemble.js';

/** What to load and how to repair it. */
export interface LoadOptions {
  /** Column holding the timestamps. */
  timeColumn: string;
  /** Numeric columns needed (targets and exogenous); values that are not numbers become NaN. */
  columns: string[];
  /** strptime pattern such as `%d-%m-%Y %H:%M`, or `epoch_s` / `epoch_ms`; detected when absent. */
  timeFormat?: string | undefined;
  /** Period such as `1h`; inferred as the most common step when absent. */
  period?: string | undefined;
  /** Rows sharing a timestamp: `mean` of valid values (default), `first` or `last` in file order, or `error`. */
  duplicates?: DuplicatePolicy | undefined;
  /**
   * Missing periods: `interpolate` (default) inserts them and fills NaNs between two valid values
   * linearly (leading/trailing NaNs stay NaN: trailing blanks mark future rows); `keep` inserts them
   * as NaN; `error` fails. Invalid values stay NaN unless interpolated.
   */
  gaps?: GapPolicy | undefined;
  /** `auto` (default): the JS path for plain CSV/TSV, duckdb otherwise; `duckdb`: always duckdb. */
  engine?: 'auto' | 'duckdb' | undefined;
}

/** zod schema of `LoadOptions`, with the defaults applied. */
export const LoadOptionsSchema = z
  .object({
    timeColumn: z.string().min(1),
    columns: z.array(z.string().min(1)),
    timeFormat: z.string().min(1).optional(),
    period: z
      .string()
      .refine((s) => tryParsePeriod(s) !== undefined, {
        message: 'expected a period such as "30min", "1h", "1D" or "7D"',
      })
      .optional(),
    duplicates: z.enum(DUPLICATE_POLICIES).default('mean'),
    gaps: z.enum(GAP_POLICIES).default('interpolate'),
    engine: z.enum(['auto', 'duckdb']).default('auto'),
  })
  .superRefine((o, ctx) => {
    const seen = new Set<string>();
    o.columns.forEach((column, i) => {
      if (column === o.timeColumn)
        ctx.addIssue({ code: 'custom', path: ['columns', i], message: `"${column}" is the time column` });
      else if (seen.has(column))
        ctx.addIssue({ code: 'custom', path: ['columns', i], message: `"${column}" is listed twice` });
      seen.add(column);
    });
  });

/** A loaded file: the regular frame, the same data as Arrow, and the report. */
export interface LoadResult {
  frame: Frame;
  /** The time column (Timestamp, ms, naive) and the requested columns (Float64), sharing memory with `frame`. */
  table: Table;
  report: LoadReport;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Read `path` (.csv, .tsv, .txt, .parquet; .csv.gz, .tsv.gz), parse its time column, sort,
 * merge duplicated timestamps, regularise to the period and fill gaps by policy. Plain CSV/TSV of any
 * size is streamed through d3-dsv and repaired in JS (no duckdb start-up, ~8 bytes a cell); everything else, and any
 * file the JS path will not decide (odd shapes, every data error), goes through duckdb-wasm, so the
 * result and the errors are the same either way (`report.engine` says which ran).
 * @example
 * const { frame, report } = await loadData('PJME_hourly.csv', { timeColumn: 'Datetime', columns: ['PJME_MW'] });
 * console.error(formatReport(report));
 */
export async function loadData(path: string, options: LoadOptions): Promise<LoadResult> {
  const o = parseWith(LoadOptionsSchema, options, 'load options');
  const started = performance.now();
  let scratch: Scratch | undefined;
  try {
    const file = await checkFile(path);
    if (o.engine === 'auto') {
      try {
        return await loadDataJs(path, file, o, started);
      } catch (error) {
        if (!(error instanceof EngineNeeded)) throw error;
      }
    }
    const duck = await getDuckDB();
    scratch = new Scratch(duck);
    const source = await readSource(duck, scratch, path, o.timeColumn, o.columns);
    const time = resolveTimeFormat(duck, source, o.timeColumn, o.timeFormat);
    return repairSource(duck, scratch, source, time, o, path, started);
  } catch (error) {
    throw namingFile(path, error);
  } finally {
    scratch?.dropAll();
  }
}

/** Parsed load options (defaults applied). */
export type ParsedLoadOptions = z.output<typeof LoadOptionsSchema>;

/**
 * The repairs and the report for one series already read into duckdb (`source`, with its time format
 * settled): what `loadData` does after reading, and what a panel load does once per series.
 */
export function repairSource(
  duck: Duck,
  scratch: Scratch,
  source: Source,
  time: ResolvedTime,
  o: ParsedLoadOptions,
  path: string,
  started: number,
): LoadResult {
  const staged = stageRows(duck, scratch, source, time.format, o.timeColumn);
  o.columns.forEach((column, i) => {
    const bad = staged.invalid[i]!;
    if (bad.count === source.rows) {
      throw new DataError(
        `column "${column}" has no numeric values in ${path} (e.g. "${bad.example?.value ?? ''}" at row ${bad.example?.row})`,
        { path, column },
      );
    }
  });
  const k = o.columns.length;
  const duplicates = deduplicate(duck, scratch, staged, k, o.duplicates, o.timeColumn);
  const gaps = findGaps(
    duck,
    duplicates.table,
    o.period === undefined ? undefined : parsePeriod(o.period),
    o.timeColumn,
  );
  if (gaps.count > 0 && o.gaps === 'error') {
    throw new DataError(
      `${plural(gaps.missingRows, 'period')} missing from column "${o.timeColumn}" in ${plural(gaps.count, 'gap')} ` +
        `at period ${gaps.period}, e.g. ${gaps.examples.join(', ')}; set gaps to interpolate or keep`,
      {
        path,
        column: o.timeColumn,
        period: gaps.period,
        gaps: gaps.count,
        missingRows: gaps.missingRows,
        examples: gaps.examples,
      },
    );
  }
  const rows = regularRows(duck, duplicates.table, k, gaps);
  return assembleResult({
    path,
    format: source.format,
    rowsRead: source.rows,
    engine: 'duckdb',
    time,
    options: o,
    outOfOrder: staged.outOfOrder,
    invalid: staged.invalid,
    duplicates,
    gaps,
    rows,
    started,
  });
}
