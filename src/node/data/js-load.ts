/** The JS load path end to end: one file, or one panel file split into series, read with d3-dsv and repaired in loops. */
import { checkSeriesId } from '../../runtime/fleet/series-id.js';
import { parsePeriod } from '../../runtime/period.js';
import type { AssembledLoad } from './assemble.js';
import { needEngineUnless } from './engine-needed.js';
import { readDsvColumns } from './js-read.js';
import { parseTimes, type RawSeries, type RepairJsOptions, repairJs, resolveTimeJs } from './js-repair.js';
import type { FileFormat } from './read-file.js';

/** Parsed options both JS entry points read. */
export interface JsLoadOptions {
  readonly timeColumn: string;
  readonly columns: readonly string[];
  readonly timeFormat?: string | undefined;
  readonly period?: string | undefined;
  readonly duplicates: RepairJsOptions['duplicates'];
  readonly gaps: RepairJsOptions['gaps'];
}

const repairOptions = (o: JsLoadOptions): RepairJsOptions => ({
  ...o,
  periodMs: o.period === undefined ? undefined : parsePeriod(o.period),
});

const counting = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

/** `loadData` on the JS path; throws EngineNeeded when duckdb must decide. */
export async function loadDataJs(
  path: string,
  file: { format: FileFormat; size: number },
  o: JsLoadOptions,
  started: number,
): Promise<AssembledLoad> {
  const raw = await readDsvColumns(path, file.format, file.size, o.timeColumn, o.columns);
  const time = resolveTimeJs(raw.time, o.timeFormat);
  const series: RawSeries = {
    index: counting(raw.rows),
    time: parseTimes(raw.time, time.parse),
    columns: raw.columns,
  };
  return repairJs(series, time, repairOptions(o), path, raw.format, started);
}

/** Series loaded from one panel file, in id order, with the file's data row count. */
export interface PanelLoads {
  readonly rowsRead: number;
  readonly series: ReadonlyArray<{ id: string; loaded: AssembledLoad }>;
}

/** duckdb orders VARCHAR by bytes, i.e. by code point; JS `<` compares UTF-16 units. */
function byCodePoint(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/**
 * The series of a panel file on the JS path, the file read once: long format grouped by `idColumn`,
 * or the `melt` columns each taken as a series (target first, shared columns after).
 */
export async function loadPanelSeriesJs(
  path: string,
  file: { format: FileFormat; size: number },
  o: JsLoadOptions & { idColumn: string; melt?: readonly string[] | undefined },
  label: (id: string) => string,
): Promise<PanelLoads> {
  const read = o.melt ? [...o.melt, ...o.columns.slice(1)] : [o.idColumn, ...o.columns];
  const raw = await readDsvColumns(path, file.format, file.size, o.timeColumn, read);
  const time = resolveTimeJs(raw.time, o.timeFormat);
  const times = parseTimes(raw.time, time.parse);
  const ro = repairOptions(o);
  const groups = new Map<string, number[]>();
  if (o.melt) {
    const all = Array.from(counting(raw.rows));
    for (const id of o.melt) groups.set(id, all);
  } else {
    const ids = raw.columns[0]!;
    for (let i = 0; i < raw.rows; i++) {
      const id = ids[i]!;
      needEngineUnless(id !== '', 'an empty series id');
      const rows = groups.get(id);
      if (rows) rows.push(i);
      else groups.set(id, [i]);
    }
  }
  const ids = [...groups.keys()].sort(byCodePoint);
  for (const id of ids) checkSeriesId(id, o.idColumn);
  const series = ids.map((id) => {
    const started = performance.now();
    const columns = o.melt
      ? [raw.columns[o.melt.indexOf(id)]!, ...raw.columns.slice(o.melt.length)]
      : raw.columns.slice(1);
    const one: RawSeries = { index: groups.get(id)!, time: times, columns };
    return { id, loaded: repairJs(one, time, ro, label(id), raw.format, started) };
  });
  return { rowsRead: raw.rows, series };
}
