/**
 * A global model answering for several series in one request: rows carry the id column, forecasts come
 * back grouped by series, each in the single-series ForecastJson shape.
 */
import { DataError } from '../errors.js';
import { type ForecastJson, type ForecastOptions, forecastLatest } from '../forecast-json.js';
import type { Forecaster } from '../forecaster.js';
import type { Frame } from '../frame.js';
import {
  type ColumnsInput,
  frameFromColumns,
  frameFromRecords,
  type PathStyle,
} from '../input/frame-input.js';
import type { PipelineConfig } from '../schemas/pipeline-config.js';

/** One series' rows of a request: its id, its frame, and where its id first appeared (for errors). */
export interface SeriesFrame {
  id: string;
  frame: Frame;
  /** e.g. `records[12].unique_id`. */
  path: string;
}

/** Forecasts of a global model, one per series of the request (in order of first appearance). */
export interface PanelForecastJson {
  version: number;
  id_column: string;
  series: Record<string, ForecastJson>;
}

function idOf(value: unknown, path: string): string {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new DataError(
    `${path}: expected a series id (a non-empty string), got ${JSON.stringify(value ?? null)}`,
    {
      path,
    },
  );
}

/** A series' rows as their own frame; a problem in them names the series. */
function seriesFrame(id: string, path: string, build: () => Frame): SeriesFrame {
  try {
    return { id, frame: build(), path };
  } catch (error) {
    if (error instanceof DataError) {
      const context = (error.context ?? {}) as Record<string, unknown>;
      throw new DataError(`series "${id}": ${error.message}`, { ...context, series: id }, error);
    }
    throw error;
  }
}

/** Row indices by id, in order of first appearance, with the path of each id's first row. */
function groupRows(
  ids: ArrayLike<unknown>,
  style: PathStyle,
  column: string,
): Map<string, { rows: number[]; path: string }> {
  const groups = new Map<string, { rows: number[]; path: string }>();
  for (let i = 0; i < ids.length; i++) {
    const path = style === 'records' ? `records[${i}].${column}` : `${column}[${i}]`;
    const id = idOf(ids[i], path);
    let group = groups.get(id);
    if (!group) {
      group = { rows: [], path };
      groups.set(id, group);
    }
    group.rows.push(i);
  }
  return groups;
}

function requireIdColumn(config: PipelineConfig): string {
  if (!config.idColumn) throw new DataError('this model forecasts one series: it has no id column', {});
  return config.idColumn;
}

/**
 * Split JSON records by the global model's id column into one frame per series (each checked as
 * `frameFromRecords` checks a single series).
 * @throws DataError naming the record whose id is missing, or the series whose rows are unusable.
 */
export function seriesFramesFromRecords(
  records: readonly Readonly<Record<string, unknown>>[],
  config: PipelineConfig,
): SeriesFrame[] {
  const column = requireIdColumn(config);
  if (records.length === 0) throw new DataError('records: no rows', { path: 'records' });
  const groups = groupRows(
    records.map((r) => r[column]),
    'records',
    column,
  );
  return [...groups].map(([id, g]) =>
    seriesFrame(id, g.path, () =>
      frameFromRecords(
        g.rows.map((i) => records[i]!),
        config,
      ),
    ),
  );
}

/** {@link seriesFramesFromRecords} for columns (an Arrow IPC body). */
export function seriesFramesFromColumns(columns: ColumnsInput, config: PipelineConfig): SeriesFrame[] {
  const column = requireIdColumn(config);
  const ids = columns[column];
  if (!ids)
    throw new DataError(`columns: missing column "${column}" (the series id)`, { column, path: 'columns' });
  const groups = groupRows(ids, 'columns', column);
  return [...groups].map(([id, g]) =>
    seriesFrame(id, g.path, () => {
      const picked: Record<string, unknown[]> = {};
      for (const [name, values] of Object.entries(columns)) picked[name] = g.rows.map((i) => values[i]);
      return frameFromColumns(picked, config, 'columns');
    }),
  );
}

/**
 * Forecast the window after each series' last known target value with a global model, grouped by series.
 * @throws DataError (422 at the edge) naming the first unknown series id and where it appeared.
 */
export async function forecastPanel(
  forecaster: Forecaster,
  frames: readonly SeriesFrame[],
  version: number,
  options: ForecastOptions = {},
): Promise<PanelForecastJson> {
  const views = frames.map((s) => forecaster.forSeries(s.id, s.path));
  const series: Record<string, ForecastJson> = {};
  for (const [i, s] of frames.entries()) {
    series[s.id] = await forecastLatest(views[i]!, s.frame, version, options);
  }
  return { version, id_column: forecaster.pipeline.config.idColumn ?? '', series };
}
