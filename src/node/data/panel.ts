/**
 * Load a panel (many series in one file) once: long format keyed by an id column, or a wide file melted
 * into it. Every series is repaired and reported on its own by the single-series SQL steps.
 */
import { z } from 'zod';
import { DataError } from '../../runtime/errors.js';
import { checkSeriesId } from '../../runtime/fleet/series-id.js';
import type { Frame } from '../../runtime/frame.js';
import { parsePeriod } from '../../runtime/period.js';
import { parseWith } from '../../runtime/schemas/parse.js';
import { frameTable } from './assemble.js';
import { type Duck, getDuckDB, Scratch, sql, sqlString } from './duckdb.js';
import { EngineNeeded } from './engine-needed.js';
import { loadPanelSeriesJs, type PanelLoads } from './js-load.js';
import { type LoadOptions, LoadOptionsSchema, type LoadResult, repairSource } from './load.js';
import { checkFile, readSource, type Source } from './read-file.js';
import type { LoadReport } from './report.js';
import { type ResolvedTime, resolveTimeFormat } from './time-column.js';
import { describeTimeFormat, formatPeriod, formatTimestamp, timeSql } from './timestamps.js';

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
 * The series that need no repair (every timestamp readable, in order, unique and on one regular step —
 * the given period if any — and every value a finite number), read in one query: a panel of many clean
 * series costs a few statements, not a dozen per series. Their reports are what `repairSource` would say.
 */
function cleanSeries(
  duck: Duck,
  scratch: Scratch,
  table: string,
  source: Source,
  kinds: readonly Source['kinds'][number][],
  time: ResolvedTime,
  o: z.output<typeof PanelOptionsSchema>,
  label: (id: string) => string,
): Map<string, LoadResult> {
  const started = performance.now();
  const k = kinds.length;
  const idx = Array.from({ length: k }, (_, i) => i);
  const cast = (i: number) => (kinds[i] === 'text' ? `TRY_CAST(r${i} AS DOUBLE)` : `CAST(r${i} AS DOUBLE)`);
  const staged = scratch.table('pstage');
  sql(
    duck,
    `CREATE TEMP TABLE ${staged} AS
     SELECT __id, __row, ${timeSql(time.format, 'traw', source.timeKind !== 'text')} AS __t${idx
       .map((i) => `, CASE WHEN isfinite(${cast(i)}) THEN ${cast(i)} END AS v${i}`)
       .join('')}
     FROM ${table}`,
  );
  const period = o.period === undefined ? undefined : parsePeriod(o.period);
  const stats = sql(
    duck,
    `SELECT __id, count(*) AS n, count(*) FILTER (__t IS NULL) AS bad, count(*) FILTER (back) AS back,
            count(DISTINCT __t) AS nd, min(d) AS dmin, max(d) AS dmax, min(__t) AS first, max(__t) AS last
            ${idx.map((i) => `, count(*) FILTER (v${i} IS NULL) AS inv${i}`).join('')}
     FROM (SELECT *, __t < lag(__t) OVER (PARTITION BY __id ORDER BY __row) AS back,
                  __t - lag(__t) OVER (PARTITION BY __id ORDER BY __t) AS d FROM ${staged})
     GROUP BY __id ORDER BY __id`,
  ).toArray();
  const ok = stats.filter((r) => {
    const n = Number(r['n']);
    const step = Number(r['dmin']);
    return (
      n > 1 &&
      Number(r['bad']) === 0 &&
      Number(r['back']) === 0 &&
      Number(r['nd']) === n &&
      step > 0 &&
      Number(r['dmax']) === step &&
      (period === undefined || step === period) &&
      idx.every((i) => Number(r[`inv${i}`]) === 0)
    );
  });
  const out = new Map<string, LoadResult>();
  if (ok.length === 0) return out;
  const ids = scratch.table('pclean');
  sql(duck, `CREATE TEMP TABLE ${ids} (__id VARCHAR)`);
  for (let i = 0; i < ok.length; i += 1000) {
    const values = ok.slice(i, i + 1000).map((r) => `(${sqlString(String(r['__id']))})`);
    sql(duck, `INSERT INTO ${ids} VALUES ${values.join(', ')}`);
  }
  const rows = sql(
    duck,
    `SELECT CAST(__t AS DOUBLE) AS t${idx.map((i) => `, v${i}`).join('')}
     FROM ${staged} s SEMI JOIN ${ids} c USING (__id) ORDER BY s.__id, s.__t`,
  );
  const t = rows.getChild('t')!.toArray() as Float64Array;
  const v = idx.map((i) => rows.getChild(`v${i}`)!.toArray() as Float64Array);
  const share = (performance.now() - started) / ok.length;
  let at = 0;
  for (const r of ok) {
    const id = String(r['__id']);
    const n = Number(r['n']);
    const frame: Frame = {
      time: t.slice(at, at + n),
      columns: Object.fromEntries(o.columns.map((c, i) => [c, v[i]!.slice(at, at + n)])),
    };
    at += n;
    out.set(id, {
      frame,
      table: frameTable(o.timeColumn, o.columns, frame),
      report: {
        file: label(id),
        format: source.format,
        engine: 'duckdb',
        rowsRead: n,
        rowsOut: n,
        timeColumn: o.timeColumn,
        timeFormat: describeTimeFormat(time.format),
        timeFormatInferred: time.inferred,
        period: formatPeriod(Number(r['dmin'])),
        periodInferred: period === undefined,
        outOfOrder: 0,
        sorted: false,
        duplicates: { count: 0, extraRows: 0, policy: o.duplicates, examples: [] },
        gaps: { count: 0, missingRows: 0, policy: o.gaps, examples: [] },
        invalidValues: Object.fromEntries(o.columns.map((c) => [c, 0])),
        filled: Object.fromEntries(o.columns.map((c) => [c, 0])),
        first: formatTimestamp(Number(r['first'])),
        last: formatTimestamp(Number(r['last'])),
        actions: [],
        elapsedMs: share,
      },
    });
  }
  return out;
}

/**
 * Read a panel file once and repair each series separately (sort, duplicates, gaps, regularising — on
 * the same engine `loadData` would pick: d3-dsv streaming + JS for plain CSV/TSV, else
 * duckdb SQL), reporting per series. Series too short for `minRows` are skipped and listed in
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
  const label = (id: string) => `${path} [${o.idColumn}=${id}]`;
  const file = await checkFile(path);
  let loads: PanelLoads | undefined;
  if (o.engine === 'auto') {
    try {
      loads = await loadPanelSeriesJs(path, file, o, label);
    } catch (error) {
      if (!(error instanceof EngineNeeded)) throw error;
    }
  }
  loads ??= await loadPanelSeriesDuck(path, o, label);
  const series: PanelSeries[] = [];
  const reports: Record<string, LoadReport> = {};
  const skipped: SkippedSeries[] = [];
  for (const { id, loaded } of loads.series) {
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
  }
  const report: PanelReport = {
    file: path,
    idColumn: o.idColumn,
    rowsRead: loads.rowsRead,
    ...(o.melt ? { melted: [...o.melt] } : {}),
    seriesRead: loads.series.length,
    series: reports,
    skipped,
    elapsedMs: performance.now() - started,
  };
  return { series, report };
}

/** The series of a panel file through duckdb: one read, then the clean ones together and the rest one by one. */
async function loadPanelSeriesDuck(
  path: string,
  o: z.output<typeof PanelOptionsSchema>,
  label: (id: string) => string,
): Promise<PanelLoads> {
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

    const clean = cleanSeries(duck, scratch, table, source, kinds, time, o, label);
    const columns = kinds.map((_, i) => `, r${i}`).join('');
    const series = ids.map(({ id, rows }) => {
      const ready = clean.get(id);
      if (ready) return { id, loaded: ready };
      // Something to repair: the single-series steps, on this series' rows only.
      const t0 = performance.now();
      const one = new Scratch(duck);
      try {
        const name = one.table('series');
        sql(
          duck,
          `CREATE TEMP TABLE ${name} AS SELECT __row, traw${columns} FROM ${table} WHERE __id = ${sqlString(id)}`,
        );
        const src: Source = { format: source.format, table: name, rows, timeKind: source.timeKind, kinds };
        return { id, loaded: repairSource(duck, one, src, time, o, label(id), t0) };
      } finally {
        one.dropAll();
      }
    });
    return { rowsRead: source.rows, series };
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
