/**
 * Load a panel (many series in one file) once: long format keyed by an id column, or a wide file melted
 * into it. Every series is repaired and reported on its own by the single-series SQL steps.
 */
import { z } from 'zod';
import { DataError } from '../../runtime/errors.js';
import { checkSeriesId } from '../../runtime/fleet/series-id.js';
import { parseWith } from '../../runtime/schemas/parse.js';
import { type Duck, getDuckDB, Scratch, sql, sqlString } from './duckdb.js';
import { type LoadOptions, LoadOptionsSchema, type LoadResult, repairSource } from './load.js';
import { readSource, type Source } from './read-file.js';
import type { LoadReport } from './report.js';
import { resolveTimeFormat } from './time-column.js';

/** What to load from a panel file. `columns` are the numeric columns every series carries (targets first). */
export interface PanelOptions extends LoadOptions {
  /**
   * Column naming the series (Nixtla's `unique_id`). With `melt` it is the name given to the new id column.
   */
  idColumn: string;
  /**
   * Wide file: each of these columns is one series. They are melted into long format with their name as the
   * series id and their values under `columns[0]` (the target); the other `columns` are shared by every series.
   */
  melt?: readonly string[] | undefined;
  /** Series with fewer rows than this after repairs (e.g. lookback + horizon) are skipped and reported. */
  minRows?: number | undefined;
}

/** One loaded series. */
export interface PanelSeries extends LoadResult {
  id: string;
}

/** A series left out, and why. */
export interface SkippedSeries {
  id: string;
  rows: number;
  reason: string;
}

/** What a panel load read, per series and in total. */
export interface PanelReport {
  file: string;
  idColumn: string;
  /** Data rows in the file (before melting). */
  rowsRead: number;
  /** The melted columns, when the file was wide. */
  melted?: string[];
  seriesRead: number;
  /** Per loaded series: its own load report (sort, duplicates, gaps, invalid values). */
  series: Record<string, LoadReport>;
  skipped: SkippedSeries[];
  /** Wall time of the whole load, including starting duckdb on first use. */
  elapsedMs: number;
}

export interface PanelResult {
  series: PanelSeries[];
  report: PanelReport;
}

const PanelOptionsSchema = LoadOptionsSchema.and(
  z.object({
    idColumn: z.string().min(1),
    melt: z.array(z.string().min(1)).min(1).optional(),
    minRows: z.int().nonnegative().optional(),
  }),
);

/** The panel as one temp table `__id, __row, traw, r0..rk`, sorted by id so per-series reads skip other ids. */
function panelTable(
  duck: Duck,
  scratch: Scratch,
  source: Source,
  melt: readonly string[] | undefined,
): string {
  const table = scratch.table('panel');
  if (!melt) {
    const values = source.kinds.slice(1).map((_, i) => `, r${i + 1} AS r${i}`);
    sql(
      duck,
      `CREATE TEMP TABLE ${table} AS SELECT CAST(r0 AS VARCHAR) AS __id, __row, traw${values.join('')}
       FROM ${source.table} ORDER BY __id, __row`,
    );
    return table;
  }
  const m = melt.length;
  const shared = source.kinds.slice(m).map((_, i) => `, r${m + i} AS r${i + 1}`);
  const parts = melt.map(
    (column, j) =>
      `SELECT ${sqlString(column)} AS __id, __row, traw, r${j} AS r0${shared.join('')} FROM ${source.table}`,
  );
  sql(duck, `CREATE TEMP TABLE ${table} AS ${parts.join(' UNION ALL ')} ORDER BY __id, __row`);
  return table;
}

/**
 * Read a panel file once and repair each series separately (sort, duplicates, gaps, regularising — in
 * duckdb SQL, as `loadData`), reporting per series. Series too short for `minRows` are skipped and listed in
 * `report.skipped`, never dropped silently. Series ids are checked (no `/`, `..`, control characters,
 * at most 128 characters): a bad one fails the load naming it.
 * @example
 * const { series, report } = await loadPanel('stores.csv', { idColumn: 'unique_id', timeColumn: 'ds', columns: ['y'], minRows: 192 });
 * // wide: await loadPanel('ETTh1.csv', { idColumn: 'unique_id', timeColumn: 'date', columns: ['y'], melt: ['HUFL', 'OT'] });
 */
export async function loadPanel(path: string, options: PanelOptions): Promise<PanelResult> {
  const o = parseWith(PanelOptionsSchema, options, 'panel load options');
  const started = performance.now();
  if (o.columns.length === 0) {
    throw new DataError('a panel needs at least one value column (the target)', { path });
  }
  if (!o.melt && o.columns.includes(o.idColumn)) {
    throw new DataError(`id column "${o.idColumn}" is also listed as a value column`, { column: o.idColumn });
  }
  const duck = await getDuckDB();
  const scratch = new Scratch(duck);
  try {
    const read = o.melt ? [...o.melt, ...o.columns.slice(1)] : [o.idColumn, ...o.columns];
    const source = await readSource(duck, scratch, path, o.timeColumn, read);
    const time = resolveTimeFormat(duck, source, o.timeColumn, o.timeFormat);
    const table = panelTable(duck, scratch, source, o.melt);
    const kinds = o.melt ? [source.kinds[0]!, ...source.kinds.slice(o.melt.length)] : source.kinds.slice(1);
    const missing = sql(duck, `SELECT min(__row) AS r FROM ${table} WHERE __id IS NULL`).get(0)!['r'];
    if (missing !== null && missing !== undefined) {
      throw new DataError(`id column "${o.idColumn}" is empty at row ${Number(missing)} of ${path}`, {
        path,
        column: o.idColumn,
        row: Number(missing),
      });
    }
    const ids = sql(duck, `SELECT __id, count(*) AS n FROM ${table} GROUP BY __id ORDER BY __id`)
      .toArray()
      .map((r) => ({ id: String(r['__id']), rows: Number(r['n']) }));
    for (const { id } of ids) checkSeriesId(id, o.idColumn);

    const series: PanelSeries[] = [];
    const reports: Record<string, LoadReport> = {};
    const skipped: SkippedSeries[] = [];
    const columns = kinds.map((_, i) => `, r${i}`).join('');
    for (const { id, rows } of ids) {
      const t0 = performance.now();
      const one = new Scratch(duck);
      try {
        const name = one.table('series');
        sql(
          duck,
          `CREATE TEMP TABLE ${name} AS SELECT __row, traw${columns} FROM ${table} WHERE __id = ${sqlString(id)}`,
        );
        const src: Source = { format: source.format, table: name, rows, timeKind: source.timeKind, kinds };
        const label = `${path} [${o.idColumn}=${id}]`;
        const loaded = repairSource(duck, one, src, time, o, label, t0);
        if (o.minRows !== undefined && loaded.report.rowsOut < o.minRows) {
          skipped.push({
            id,
            rows: loaded.report.rowsOut,
            reason: `${loaded.report.rowsOut} rows after repairs, fewer than the ${o.minRows} a window needs (lookback + horizon)`,
          });
          continue;
        }
        series.push({ id, ...loaded });
        reports[id] = loaded.report;
      } finally {
        one.dropAll();
      }
    }
    const report: PanelReport = {
      file: path,
      idColumn: o.idColumn,
      rowsRead: source.rows,
      ...(o.melt ? { melted: [...o.melt] } : {}),
      seriesRead: ids.length,
      series: reports,
      skipped,
      elapsedMs: performance.now() - started,
    };
    return { series, report };
  } finally {
    scratch.dropAll();
  }
}

/** One line per series with repairs and one per skipped series, for logs. */
export function panelActions(report: PanelReport): string[] {
  const lines: string[] = [];
  for (const [id, r] of Object.entries(report.series))
    for (const a of r.actions) lines.push(`series ${id}: ${a}`);
  for (const s of report.skipped) lines.push(`series ${s.id} skipped: ${s.reason}`);
  return lines;
}
