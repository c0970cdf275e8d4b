/** Open a checkpoint folder on disk as a ready Forecaster. */
import { basename, dirname, resolve } from 'node:path';
import { loadCheckpoint } from '../runtime/checkpoint/checkpoint.js';
import { DataError } from '../runtime/errors.js';
import { requiredColumns } from '../runtime/features/pipeline.js';
import type { SeriesFrame } from '../runtime/fleet/panel-forecast.js';
import { Forecaster } from '../runtime/forecaster.js';
import type { Frame } from '../runtime/frame.js';
import type { OnnxEngine } from '../runtime/onnx/engine.js';
import { loadData, loadPanel } from './data/index.js';
import { createNodeEngine } from './engine.js';
import { FsCheckpointStore } from './fs-store.js';
import type { Logger } from './log.js';

/** A verified checkpoint version loaded into a `Forecaster`, with its path and version. */
export interface LoadedForecaster {
  forecaster: Forecaster;
  version: number;
  /** Set when the folder had no manifest and the newest complete version was used. */
  fallback?: string;
  path: string;
}

/**
 * Load `<root>/<name>` (the folder holding `_checkpoint_manifest.json`), verifying every file's hash.
 * @param version a specific version instead of the active one.
 */
export async function loadForecaster(
  checkpointDir: string,
  options: { version?: number; engine?: OnnxEngine } = {},
): Promise<LoadedForecaster> {
  const dir = resolve(checkpointDir);
  const store = new FsCheckpointStore(dirname(dir));
  const name = basename(dir);
  const loaded = await loadCheckpoint(
    store,
    name,
    options.version === undefined ? {} : { version: options.version },
  );
  const engine = options.engine ?? createNodeEngine();
  const forecaster = await Forecaster.fromFiles(loaded.files, engine);
  const out: LoadedForecaster = { forecaster, version: loaded.version, path: store.describe(name) };
  if (loaded.fallback) out.fallback = loaded.fallback;
  return out;
}

/**
 * Load a checkpoint and a data file shaped for it: the time column, targets and covariates the
 * checkpoint's pipeline names, repaired at its period. Fallbacks and repairs go to `logger`.
 */
export async function loadForecasterAndData(options: {
  checkpoint: string;
  data: string;
  timeFormat?: string;
  version?: number;
  logger?: Logger;
}): Promise<LoadedForecaster & { frame: Frame }> {
  const loaded = await loadForecasterAndSeries(options);
  if (!loaded.frame) {
    throw new DataError(
      `${loaded.path} is a global model over many series; this needs a single-series checkpoint`,
      { checkpoint: loaded.path },
    );
  }
  return { ...loaded, frame: loaded.frame };
}

/**
 * {@link loadForecasterAndData} for any checkpoint: a global model's data is a panel (long format by the
 * checkpoint's id column, or `idColumn`), read once and split into one repaired frame per series.
 */
export async function loadForecasterAndSeries(options: {
  checkpoint: string;
  data: string;
  timeFormat?: string;
  version?: number;
  logger?: Logger;
  /** The data's id column when it differs from the checkpoint's. */
  idColumn?: string;
}): Promise<LoadedForecaster & { frame?: Frame; series?: SeriesFrame[] }> {
  const loaded = await loadForecaster(
    options.checkpoint,
    options.version === undefined ? {} : { version: options.version },
  );
  if (loaded.fallback) options.logger?.warn(loaded.fallback);
  const config = loaded.forecaster.pipeline.config;
  if (loaded.forecaster.isGlobal) {
    const idColumn = options.idColumn ?? config.idColumn ?? 'unique_id';
    const panel = await loadPanel(options.data, {
      idColumn,
      timeColumn: config.timeColumn,
      columns: requiredColumns(config),
      period: config.period,
      ...(options.timeFormat ? { timeFormat: options.timeFormat } : {}),
    });
    for (const s of panel.series)
      for (const a of s.report.actions) options.logger?.info(`series ${s.id}: ${a}`);
    const series = panel.series.map((s) => ({
      id: s.id,
      frame: s.frame,
      path: `${options.data} [${idColumn}=${s.id}]`,
    }));
    return { ...loaded, series };
  }
  const { frame, report } = await loadData(options.data, {
    timeColumn: config.timeColumn,
    columns: requiredColumns(config),
    period: config.period,
    ...(options.timeFormat ? { timeFormat: options.timeFormat } : {}),
  });
  for (const action of report.actions) options.logger?.info(action);
  return { ...loaded, frame };
}
