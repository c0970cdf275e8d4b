/** List and roll back the versions of a checkpoint folder on disk; list the models of a checkpoint root. */
import { basename, dirname, resolve } from 'node:path';
import { listVersions, rollback, type VersionSummary } from '../runtime/checkpoint/checkpoint.js';
import type { Manifest } from '../runtime/checkpoint/manifest.js';
import { type ModelSummary, modelSummaries } from '../runtime/checkpoint/models.js';
import { formatTable } from './demo/table.js';
import { FsCheckpointStore } from './fs-store.js';

function open(checkpointDir: string): { store: FsCheckpointStore; name: string } {
  const dir = resolve(checkpointDir);
  return { store: new FsCheckpointStore(dirname(dir)), name: basename(dir) };
}

/** Every version in `<root>/<name>`, oldest first, with which one is active. */
export async function listCheckpointVersions(checkpointDir: string): Promise<VersionSummary[]> {
  const { store, name } = open(checkpointDir);
  return listVersions(store, name);
}

/** Make `version` active again after verifying its files; the manifest records the rollback. */
export async function rollbackCheckpoint(checkpointDir: string, version: number): Promise<Manifest> {
  const { store, name } = open(checkpointDir);
  return rollback(store, name, version);
}

/**
 * Every model under the root `dir` (`<dir>/<name>/` and the fleet layout `<dir>/<fleet>/<series>/`), with
 * its active version, saved_at and metrics; a corrupt model is listed with a note, not an error.
 * @param prefix only names starting with it, e.g. `feeders/`.
 */
export async function listCheckpointModels(dir: string, prefix = ''): Promise<ModelSummary[]> {
  return modelSummaries(new FsCheckpointStore(resolve(dir)), prefix);
}

/** `twiga-edge models` as a table: name, version, saved_at, model type, metrics (`model/metric=value`). */
export function formatModelTable(models: readonly ModelSummary[]): string {
  const metrics = (m: ModelSummary) =>
    Object.entries(m.metrics)
      .flatMap(([model, values]) =>
        Object.entries(values).map(([k, v]) => `${model}/${k}=${Number(v.toPrecision(4))}`),
      )
      .join(' ');
  const rows = models.map((m) => [
    m.name,
    m.version === null ? '-' : String(m.version),
    m.saved_at ?? '-',
    m.model_type ?? '-',
    m.note ? `(${m.note})` : metrics(m),
  ]);
  return formatTable(['name', 'version', 'saved_at', 'model_type', 'metrics'], rows);
}
