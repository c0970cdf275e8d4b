/** Open a checkpoint folder on disk as a ready Forecaster. */
import { basename, dirname, resolve } from 'node:path';
import { loadCheckpoint } from '../runtime/checkpoint/checkpoint.js';
import { Forecaster } from '../runtime/forecaster.js';
import { createOnnxEngine, type OnnxEngine } from '../runtime/onnx/engine.js';
import { FsCheckpointStore } from './fs-store.js';

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
  const engine = options.engine ?? createOnnxEngine();
  const forecaster = await Forecaster.fromFiles(loaded.files, engine);
  const out: LoadedForecaster = { forecaster, version: loaded.version, path: store.describe(name) };
  if (loaded.fallback) out.fallback = loaded.fallback;
  return out;
}
