/** The JS load path end to end: one file, or one panel file split into series, streamed through d3-dsv and repaired in loops. */
import { checkSeriesId } from '../../runtime/fleet/series-id.js';
import { parsePeriod } from '../../runtime/period.js';
import type { AssembledLoad } from './assemble.js';
import { type RowGroup, readDsvStream, type StreamRequest } from './js-read.js';
import { type RawSeries, type RepairJsOptions, repairJs, resolveTimeJs } from './js-repair.js';
import type { FileFormat } from './read-file.js';
import type { ResolvedTime } from './time-column.js';

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

/** Reads the file, settling its time format on the way (kept for the reports). */
async function readResolving(
  path: string,
  format: FileFormat,
  o: JsLoadOptions,
  request: Omit<StreamRequest, 'timeParser' | 'timeColumn'>,
) {
  let time: ResolvedTime | undefined;
  const raw = await readDsvStream(path, format, {
    ...request,
    timeColumn: o.timeColumn,
    timeParser: async (source) => {
      const resolved = await resolveTimeJs(source, o.timeFormat);
      time = resolved;
      return resolved.parse;
    },
  });
  return { raw, time: time! };
}

/** `loadData` on the JS path; throws EngineNeeded when duckdb must decide. */
export async function loadDataJs(
  path: string,
  file: { format: FileFormat },
  o: JsLoadOptions,
  started: number,
): Promise<AssembledLoad> {
  const { raw, time } = await readResolving(path, file.format, o, { columns: o.columns });
  const all = raw.groups.get('')!;
  const series: RawSeries = {
    index: all.rows.view(),
    time: raw.time,
    values: raw.values,
    examples: all.examples,
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
  file: { format: FileFormat },
  o: JsLoadOptions & { idColumn: string; melt?: readonly string[] | undefined },
  label: (id: string) => string,
): Promise<PanelLoads> {
  const { raw, time } = o.melt
    ? await readResolving(path, file.format, o, { columns: [...o.melt, ...o.columns.slice(1)] })
    : await readResolving(path, file.format, o, { idColumn: o.idColumn, columns: o.columns });
  const ro = repairOptions(o);
  const groups: ReadonlyMap<string, RowGroup> = o.melt
    ? new Map(o.melt.map((id) => [id, raw.groups.get('')!]))
    : raw.groups;
  const width = raw.values.length;
  const ids = [...groups.keys()].sort(byCodePoint);
  for (const id of ids) checkSeriesId(id, o.idColumn);
  const series = ids.map((id) => {
    const started = performance.now();
    const group = groups.get(id)!;
    // Melted: series m is file column m, the shared columns follow the melted ones.
    const pick = o.melt
      ? [o.melt.indexOf(id), ...Array.from({ length: width - o.melt.length }, (_, j) => o.melt!.length + j)]
      : undefined;
    const one: RawSeries = {
      index: group.rows.view(),
      time: raw.time,
      values: pick ? pick.map((c) => raw.values[c]!) : raw.values,
      examples: pick ? pick.map((c) => group.examples[c]) : group.examples,
    };
    return { id, loaded: repairJs(one, time, ro, label(id), raw.format, started) };
  });
  return { rowsRead: raw.rows, series };
}
