/**
 * `twiga-edge drift --id-col`: drift per series of a panel, plus a fleet summary (how many drifted, which).
 * The reference is a panel file, a global checkpoint (its per-series samples) or a per-series fleet folder
 * (each series' own checkpoint); the current panel is loaded once.
 */
import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { loadCheckpoint } from '../runtime/checkpoint/checkpoint.js';
import { listModels } from '../runtime/checkpoint/models.js';
import { decodeReference, REFERENCE_FILE } from '../runtime/drift/checkpoint-reference.js';
import { ForecastMonitor } from '../runtime/drift/monitor.js';
import type { DriftReference } from '../runtime/drift/reference.js';
import { renderFleetDriftReport } from '../runtime/drift/report/fleet-report.js';
import type { DriftSummary } from '../runtime/drift/summary.js';
import { CheckpointError, ConfigError } from '../runtime/errors.js';
import { decodePipelineFile, PIPELINE_FILE } from '../runtime/forecaster-files.js';
import type { Frame } from '../runtime/frame.js';
import { loadPanel, type SkippedSeries } from './data/index.js';
import type { RunDriftOptions } from './drift.js';
import { initNodeDriftWasm } from './drift-wasm.js';
import { FsCheckpointStore } from './fs-store.js';
import { fileReportSink } from './report-sink.js';
import { loadSettings } from './settings.js';

/** `runDrift`'s options plus the panel's id column (and a wide file's series columns). */
export interface PanelDriftOptions extends RunDriftOptions {
  idColumn: string;
  /**
   * A wide current (and reference) file: these columns are the series, melted into the first tested column
   * (the checkpoint's target, or `value` against a reference file).
   */
  melt?: string[] | undefined;
}

/** How many series drifted and which. */
export interface FleetDriftCounts {
  series: number;
  drifted: number;
  /** Share of the tested series that drifted. */
  share: number;
  drifted_series: string[];
}

/** One summary per series and the fleet summary. */
export interface PanelDriftResult {
  id_column: string;
  series: Record<string, DriftSummary>;
  fleet: FleetDriftCounts;
  /** Series of the current panel with no reference (or the reverse), and series the load skipped. */
  skipped: SkippedSeries[];
  /** The fleet page (per-series table linking each series' own report, written beside it); null without a report folder. */
  report_path: string | null;
}

type References =
  | { kind: 'frames'; data: Map<string, Frame['columns']> }
  | { kind: 'samples'; data: Map<string, DriftReference> };

const MELTED = 'value';

/** Per-series samples of a checkpoint folder: a global model's `series_drift`, or each model of a fleet folder. */
async function checkpointReferences(
  dir: string,
): Promise<{ refs: Map<string, DriftReference>; timeColumn: string }> {
  const store = new FsCheckpointStore(dirname(dir));
  const name = basename(dir);
  // Under the prefix a global checkpoint lists itself: only deeper names are a fleet's models.
  const models = (await listModels(store, `${name}/`)).filter((m) => m.startsWith(`${name}/`));
  const refs = new Map<string, DriftReference>();
  let timeColumn = 'timestamp';
  const read = async (model: string) => {
    const loaded = await loadCheckpoint(store, model);
    const bytes = loaded.files[REFERENCE_FILE];
    const pipeline = loaded.files[PIPELINE_FILE];
    if (pipeline) timeColumn = decodePipelineFile(pipeline).pipeline.config.timeColumn;
    return bytes ? decodeReference(bytes, `${model}/${REFERENCE_FILE}`) : undefined;
  };
  if (models.length > 0) {
    for (const model of models) {
      const drift = (await read(model))?.drift;
      if (drift) refs.set(model.slice(name.length + 1), drift);
    }
  } else {
    const series = (await read(name))?.series_drift;
    if (!series) {
      throw new CheckpointError(
        'CHECKPOINT_NOT_FOUND',
        `${dir} holds neither per-series models nor a global model's per-series drift samples (series_drift in ${REFERENCE_FILE}); retrain it, or pass the training panel as --reference`,
        { path: dir },
      );
    }
    for (const [id, drift] of Object.entries(series)) refs.set(id, drift);
  }
  return { refs, timeColumn };
}

/**
 * Tests every series of the current panel for drift against its own reference (Evidently's default test per
 * column, WASM core) and counts the fleet. With a report folder (`reportDir`, else TWIGA_SERVE_REPORT_DIR)
 * it writes each series' HTML report (`<id>_data_drift_<time>.html`) and one fleet page linking them
 * (`fleet_drift_<time>.html`, `report_path`).
 * @example
 * const r = await runPanelDrift({ reference: 'checkpoints/feeders', current: 'last-week.csv', idColumn: 'unique_id', columns: ['net_load'] });
 * console.log(r.fleet); // { series: 7, drifted: 3, share: 0.43, drifted_series: [...] }
 */
export async function runPanelDrift(options: PanelDriftOptions): Promise<PanelDriftResult> {
  await initNodeDriftWasm();
  const isDir = await stat(options.reference).then(
    (s) => s.isDirectory(),
    () => false,
  );
  let refs: References;
  let timeColumn = options.timeColumn;
  let columns = options.columns;
  if (isDir) {
    const found = await checkpointReferences(resolve(options.reference));
    refs = { kind: 'samples', data: found.refs };
    timeColumn ??= found.timeColumn;
    columns ??= Object.keys(found.refs.values().next().value?.columns ?? {});
  } else {
    if (options.melt) columns ??= [MELTED];
    if (!columns || !timeColumn) {
      throw new ConfigError('a panel reference file needs --time-col and --columns (or --melt)', [
        { path: columns ? 'timeColumn' : 'columns', message: 'required with --id-col and a reference file' },
      ]);
    }
    refs = { kind: 'frames', data: new Map() };
  }
  if (!timeColumn || !columns || columns.length === 0) {
    throw new ConfigError('no columns to test: pass --columns', [{ path: 'columns', message: 'empty' }]);
  }
  const load = (path: string) =>
    loadPanel(path, {
      idColumn: options.idColumn,
      timeColumn: timeColumn!,
      columns: columns!,
      gaps: 'keep',
      melt: options.melt,
      ...(options.timeFormat ? { timeFormat: options.timeFormat } : {}),
    });
  const skipped: SkippedSeries[] = [];
  if (refs.kind === 'frames') {
    const reference = await load(options.reference);
    for (const s of reference.series) refs.data.set(s.id, s.frame.columns);
  }
  const current = await load(options.current);
  skipped.push(...current.report.skipped);
  const reportDir = options.reportDir ?? (await loadSettings()).reportDir;
  const sink = reportDir ? fileReportSink(reportDir) : undefined;
  const series: Record<string, DriftSummary> = {};
  for (const s of current.series) {
    const ref = refs.data.get(s.id);
    if (!ref) {
      skipped.push({ id: s.id, rows: s.frame.time.length, reason: 'no reference for this series' });
      continue;
    }
    // Each series' report is named after it (ids are checked: no '/', '..'), beside the fleet page.
    const monitor = new ForecastMonitor(
      {
        ...(options.method ? { method: options.method } : {}),
        ...(options.threshold !== undefined ? { threshold: options.threshold } : {}),
        ...(options.driftShare !== undefined ? { driftShare: options.driftShare } : {}),
      },
      sink ? { writeReport: (name, html) => sink.writeReport(`${s.id}_${name}`, html) } : {},
    );
    monitor.setReference(ref);
    const [, summary] = await monitor.runDataDrift(s.frame.columns, columns);
    series[s.id] = summary;
  }
  const ids = Object.keys(series);
  const drifted = ids.filter((id) => series[id]!.dataset_drift);
  const reportPath = sink
    ? await sink.writeReport(
        `fleet_drift_${new Date().toISOString().replace(/[:.]/g, '-')}.html`,
        renderFleetDriftReport({
          idColumn: options.idColumn,
          series,
          skipped,
          link: (id) => {
            const path = series[id]?.report_path;
            return path ? basename(path) : null;
          },
        }),
      )
    : null;
  return {
    id_column: options.idColumn,
    series,
    fleet: {
      series: ids.length,
      drifted: drifted.length,
      share: ids.length ? drifted.length / ids.length : 0,
      drifted_series: drifted,
    },
    skipped,
    report_path: reportPath,
  };
}
