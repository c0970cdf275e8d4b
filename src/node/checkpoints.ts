/** List and roll back the versions of a checkpoint folder on disk. */
import { basename, dirname, resolve } from 'node:path';
import { listVersions, rollback, type VersionSummary } from '../runtime/checkpoint/checkpoint.js';
import type { Manifest } from '../runtime/checkpoint/manifest.js';
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
