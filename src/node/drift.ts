/** `twiga-edge drift`: a data file's drift against a reference file or a checkpoint's drift sample, with an HTML report. */
import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { loadCheckpoint } from '../runtime/checkpoint/checkpoint.js';
import { parseVersionDir } from '../runtime/checkpoint/keys.js';
import { decodeReference, REFERENCE_FILE } from '../runtime/drift/checkpoint-reference.js';
import { ForecastMonitor } from '../runtime/drift/monitor.js';
import type { DriftReference } from '../runtime/drift/reference.js';
import type { DriftMethod, DriftSummary } from '../runtime/drift/summary.js';
import { CheckpointError, DataError } from '../runtime/errors.js';
import { decodePipelineFile, PIPELINE_FILE } from '../runtime/forecaster-files.js';
import type { Frame } from '../runtime/frame.js';
import { loadData } from './data/index.js';
import { initNodeDriftWasm } from './drift-wasm.js';
import { FsCheckpointStore } from './fs-store.js';
import type { Logger } from './log.js';
import { fileReportSink } from './report-sink.js';
import { loadSettings } from './settings.js';

/** Reference, current data, columns and report folder of `runDrift`. */
export interface RunDriftOptions {
  /** Reference data (CSV, TSV, Parquet), or a checkpoint folder (`<root>/<name>` or a `vNNNN` in it). */
  reference: string;
  /** Data to test, in the same columns. */
  current: string;
  /** Columns to test. Default: every non-time column of the reference file, or the checkpoint's drift columns. */
  columns?: string[] | undefined;
  /**
   * Folder for the HTML report. Default: `TWIGA_SERVE_REPORT_DIR` (environment over `.env`); no report when
   * neither is set.
   */
  reportDir?: string | undefined;
  /**
   * Time column of both files. Default: the checkpoint's, else `timestamp`, else the first column
   * named date, datetime, time or ds (any case).
   */
  timeColumn?: string | undefined;
  timeFormat?: string | undefined;
  method?: 'auto' | DriftMethod | undefined;
  threshold?: number | undefined;
  driftShare?: number | undefined;
  logger?: Logger | undefined;
}

const TIME_NAMES = ['timestamp', 'date', 'datetime', 'time', 'ds'];
const PROBE = '\u0000twiga-edge: list the columns';

/** The file's header, as the loader reads it: asked for a column that cannot exist, it names them all. */
async function fileColumns(path: string): Promise<string[]> {
  try {
    await loadData(path, { timeColumn: PROBE, columns: [] });
  } catch (error) {
    const available = error instanceof DataError ? error.context['available'] : undefined;
    if (Array.isArray(available) && error instanceof DataError && error.context['column'] === PROBE) {
      return available as string[];
    }
    throw error;
  }
  return [];
}

function pickTimeColumn(path: string, header: readonly string[], given: string | undefined): string {
  if (given !== undefined) return given;
  const found = TIME_NAMES.map((n) => header.find((h) => h.toLowerCase() === n)).find((h) => h !== undefined);
  if (found !== undefined) return found;
  throw new DataError(
    `no time column found in ${path} (looked for ${TIME_NAMES.join(', ')}); pass --time-col; columns: ${header.map((c) => `"${c}"`).join(', ')}`,
    { path, available: header },
  );
}

interface Reference {
  data: Frame['columns'] | DriftReference;
  columns: string[];
  timeColumn: string;
}

/** A checkpoint's drift sample and time column, verifying file hashes as every checkpoint load does. */
async function checkpointReference(dir: string, given: RunDriftOptions, log?: Logger): Promise<Reference> {
  const version = parseVersionDir(basename(dir));
  const folder = version === undefined ? dir : dirname(dir);
  const loaded = await loadCheckpoint(
    new FsCheckpointStore(dirname(folder)),
    basename(folder),
    version === undefined ? {} : { version },
  );
  if (loaded.fallback) log?.warn(loaded.fallback);
  const bytes = loaded.files[REFERENCE_FILE];
  const drift = bytes ? decodeReference(bytes, resolve(folder, REFERENCE_FILE)).drift : undefined;
  if (!drift) {
    throw new CheckpointError(
      'CHECKPOINT_NOT_FOUND',
      `checkpoint ${folder} (v${loaded.version}) has no drift reference in ${REFERENCE_FILE}: it was saved before drift references were stored; retrain it, or pass the training data file as --reference`,
      { path: folder, version: loaded.version },
    );
  }
  const pipeline = loaded.files[PIPELINE_FILE];
  const timeColumn =
    given.timeColumn ?? (pipeline ? decodePipelineFile(pipeline).pipeline.config.timeColumn : 'timestamp');
  return { data: drift, columns: given.columns ?? Object.keys(drift.columns), timeColumn };
}

async function load(path: string, o: RunDriftOptions, timeColumn: string, columns: string[]): Promise<Frame> {
  // Gaps stay NaN (and are dropped by the tests): interpolated values would be data nobody observed.
  const { frame, report } = await loadData(path, {
    timeColumn,
    columns,
    gaps: 'keep',
    ...(o.timeFormat ? { timeFormat: o.timeFormat } : {}),
  });
  for (const action of report.actions) o.logger?.info(`${basename(path)}: ${action}`);
  return frame;
}

/**
 * Tests `current` for drift against `reference` (Evidently's default test per column, on the
 * WASM drift core) and writes the HTML report to `reportDir` or `TWIGA_SERVE_REPORT_DIR`.
 * @returns the `DriftSummary`, `report_path` set when a report was written.
 * @example
 * const summary = await runDrift({ reference: 'runs/etth1', current: 'last-week.csv', reportDir: 'reports' });
 */
export async function runDrift(options: RunDriftOptions): Promise<DriftSummary> {
  await initNodeDriftWasm();
  const isDir = await stat(options.reference).then(
    (s) => s.isDirectory(),
    () => false,
  );
  let ref: Reference;
  if (isDir) {
    ref = await checkpointReference(resolve(options.reference), options, options.logger);
  } else {
    const header = await fileColumns(options.reference);
    const timeColumn = pickTimeColumn(options.reference, header, options.timeColumn);
    const columns = options.columns ?? header.filter((c) => c !== timeColumn);
    ref = {
      data: (await load(options.reference, options, timeColumn, columns)).columns,
      columns,
      timeColumn,
    };
  }
  const current = await load(options.current, options, ref.timeColumn, ref.columns);
  const reportDir = options.reportDir ?? (await loadSettings()).reportDir;
  const monitor = new ForecastMonitor(
    {
      ...(options.method ? { method: options.method } : {}),
      ...(options.threshold !== undefined ? { threshold: options.threshold } : {}),
      ...(options.driftShare !== undefined ? { driftShare: options.driftShare } : {}),
    },
    reportDir ? fileReportSink(reportDir) : {},
  );
  monitor.setReference(ref.data);
  const [, summary] = await monitor.runDataDrift(current.columns, ref.columns);
  return summary;
}
