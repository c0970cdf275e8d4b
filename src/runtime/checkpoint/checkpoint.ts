/** Versioned checkpoints over any CheckpointStore: save, load (hash-verified), list, roll back. */

import { z } from 'zod';
import { crashPoint } from '../crash-points.js';
import { CheckpointError, ConfigError } from '../errors.js';
import { parseWith } from '../schemas/parse.js';
import { claimVersion, commitManifest, firstFreeVersion, historyEntry, manifestFor } from './commit.js';
import { CheckpointConflictError } from './conflict.js';
import { sha256Hex } from './hash.js';
import {
  assertFileName,
  assertSafeKey,
  manifestKey,
  VERSION_FILE,
  versionDir,
  versionFileKey,
  versionKey,
  versionsInKeys,
} from './keys.js';
import {
  encodeJson,
  type FileEntry,
  FORMAT_VERSION,
  type Manifest,
  type Metrics,
  MetricsSchema,
  type VersionInfo,
} from './manifest.js';
import { readManifest, readVerifiedFiles, readVersionInfo, requireVersionInfo } from './read.js';
import type { CheckpointStore } from './store.js';

export { readManifest };

/** What describes a saved version besides its files. */
export interface SaveMeta {
  /** e.g. `ensemble[seasonal_naive_1D,linear]`. */
  modelType: string;
  /** The version's main file, a key of `files`, e.g. `pipeline.json`. */
  checkpointFile: string;
  /** model label → metric name → finite number. */
  metrics?: Metrics;
  /** Any JSON-serialisable data to keep with the version (stored as `extra`). */
  extra?: Record<string, unknown>;
}

/** Whether the new version becomes active, and the clock. */
export interface SaveOptions {
  /**
   * Make the new version the active one in the manifest. Default `true`. With `false` the manifest is left
   * alone (promote later with `rollback`); note that a checkpoint with no manifest yet loads its newest
   * complete version, which is then this one.
   */
  activate?: boolean;
  /** Clock, for tests. Default `() => new Date()`. */
  now?: () => Date;
}

/** The version a save wrote and the manifest it left. */
export interface SaveResult {
  version: number;
  /** The version folder, e.g. `twiga/v0003`. */
  key: string;
  /** The manifest as written; when not activated, the manifest this version would have (nothing written). */
  manifest: Manifest;
  activated: boolean;
}

/** A verified version: its files (every sha256 checked) and the manifest that named it. */
export interface LoadedCheckpoint {
  /** Describes the loaded version; `history` is the live manifest's (empty without one). */
  manifest: Manifest;
  version: number;
  /** Verified bytes by file name, e.g. `{ 'pipeline.json': …, 'linear.onnx': … }`. */
  files: Record<string, Uint8Array>;
  /** Etag of the live manifest, when there is one. */
  etag?: string;
  /** Set when there was no manifest and the newest complete version was loaded instead; says so and why. */
  fallback?: string;
}

/** One version as `listVersions` reports it: number, saved_at, metrics and whether it is active. */
export interface VersionSummary {
  version: number;
  /** `_version.json` is present and valid (file hashes are checked on load, not here). */
  complete: boolean;
  active: boolean;
  saved_at?: string;
  model_type?: string;
  metrics: Metrics;
  /** Why the version is not complete. */
  note?: string;
}

const SaveMetaSchema = z.object({
  modelType: z.string().min(1),
  checkpointFile: z.string().min(1),
  metrics: MetricsSchema.optional(),
  extra: z.record(z.string(), z.unknown()).optional(),
});

const VersionNumber = z.int().positive();

function checkVersionArg(version: unknown): number {
  return parseWith(VersionNumber, version, 'checkpoint version', 'version');
}

function checkSaveInput(files: Record<string, Uint8Array>, meta: SaveMeta): void {
  parseWith(SaveMetaSchema, meta, 'checkpoint metadata');
  const names = Object.keys(files);
  if (names.length === 0)
    throw new ConfigError('A checkpoint needs at least one file', [{ path: 'files', message: 'empty' }]);
  for (const file of names) {
    assertFileName(file);
    if (!(files[file] instanceof Uint8Array)) {
      const message = `expected Uint8Array, got ${typeof files[file]}`;
      throw new ConfigError(`Invalid file "${file}": ${message}`, [{ path: `files.${file}`, message }]);
    }
  }
  if (!names.includes(meta.checkpointFile)) {
    const message = `expected one of ${names.map((n) => `"${n}"`).join(', ')}, got "${meta.checkpointFile}"`;
    throw new ConfigError(`Invalid checkpointFile: ${message}`, [{ path: 'checkpointFile', message }]);
  }
  try {
    JSON.stringify(meta.extra);
  } catch (cause) {
    const message = `not JSON-serialisable (${cause instanceof Error ? cause.message : String(cause)})`;
    throw new ConfigError(`Invalid extra: ${message}`, [{ path: 'extra', message }]);
  }
}

async function hashFiles(files: Record<string, Uint8Array>): Promise<Record<string, FileEntry>> {
  const names = Object.keys(files).sort();
  const hashes = await Promise.all(names.map((n) => sha256Hex(files[n]!)));
  return Object.fromEntries(names.map((n, i) => [n, { sha256: hashes[i]!, size: files[n]!.byteLength }]));
}

/**
 * Save `files` as a new immutable version of checkpoint `name`, then (by default) make it active.
 * Order: claim `vNNNN/_claim.json` (create-if-absent), write the files (never overwriting), write
 * `vNNNN/_version.json`, and last compare-and-swap `_checkpoint_manifest.json`, retrying with a re-read
 * history when a concurrent writer got there first. Concurrent saves get distinct versions; the one
 * whose manifest swap lands last is active, and history records both.
 * @param store where to write.
 * @param name checkpoint name (a safe relative key, e.g. `twiga` or `models/twiga`).
 * @param files bytes by file name, relative to the version folder.
 * @param meta model type, main file, metrics and extra data.
 * @param options `activate` (default true), `now` (default `() => new Date()`).
 * @returns the version number, its folder key and the manifest.
 * @throws ConfigError for bad input (before anything is written); CheckpointError CHECKPOINT_CORRUPT when the
 *   existing manifest is unreadable; CheckpointConflictError when the manifest swap keeps losing.
 * @example
 * const { version, key } = await saveCheckpoint(store, 'twiga', {
 *   'pipeline.json': pipelineBytes,
 *   'linear.onnx': onnxBytes,
 * }, { modelType: 'linear', checkpointFile: 'pipeline.json', metrics: { linear: { mae: 1.3 } } });
 * // version === 3, key === 'twiga/v0003'
 */
export async function saveCheckpoint(
  store: CheckpointStore,
  name: string,
  files: Record<string, Uint8Array>,
  meta: SaveMeta,
  options: SaveOptions = {},
): Promise<SaveResult> {
  assertSafeKey(name, 'checkpoint name');
  checkSaveInput(files, meta);
  const now = options.now ?? (() => new Date());
  const savedAt = now().toISOString();
  const entries = await hashFiles(files);
  // An inactive save only numbers itself from the manifest, so an unreadable one need not stop it (the
  // promotion that follows replaces it); an activating save must extend its history and fails instead.
  const current = await readManifest(store, name).catch((error: unknown) => {
    if (options.activate === false && error instanceof CheckpointError && error.code === 'CHECKPOINT_CORRUPT')
      return undefined;
    throw error;
  });

  const from = await firstFreeVersion(store, name, current?.manifest);
  const version = await claimVersion(store, name, from, { claimed_at: savedAt, model_type: meta.modelType });
  crashPoint('save.claimed');
  const info = await writeVersion(store, name, version, files, meta, entries, savedAt).catch(
    (error: unknown) => removeVersion(store, name, version, error),
  );

  const key = versionKey(name, version);
  if (options.activate === false) {
    return { version, key, manifest: manifestFor(info, current?.manifest.history ?? []), activated: false };
  }
  const manifest = await commitManifest(store, name, (live) =>
    manifestFor(info, [...(live?.history ?? []), historyEntry(info, 'saved', now())]),
  );
  return { version, key, manifest, activated: true };
}

/** Write the claimed version's files, never overwriting, then its `_version.json`. */
async function writeVersion(
  store: CheckpointStore,
  name: string,
  version: number,
  files: Record<string, Uint8Array>,
  meta: SaveMeta,
  entries: Record<string, FileEntry>,
  savedAt: string,
): Promise<VersionInfo> {
  // Every write settles before a failure is reported, so a clean-up never races a write still in flight.
  const settled = await Promise.allSettled(
    Object.keys(files).map(async (file) => {
      const etag = await store.put(versionFileKey(name, version, file), files[file]!, { ifMatch: null });
      crashPoint('save.file-written');
      return etag === undefined ? file : undefined;
    }),
  );
  const failed = settled.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  const clashes = settled
    .map((r) => (r.status === 'fulfilled' ? r.value : undefined))
    .filter((f) => f !== undefined);
  if (clashes.length > 0) {
    throw new CheckpointConflictError(
      `Version ${versionDir(version)} of "${name}" already held ${clashes.join(', ')} although this save claimed it; ` +
        `another writer ignored the claim (${store.describe(versionKey(name, version))})`,
      { name, version, files: clashes },
    );
  }

  const info: VersionInfo = {
    format_version: FORMAT_VERSION,
    version,
    checkpoint_file: `${versionDir(version)}/${meta.checkpointFile}`,
    model_type: meta.modelType,
    saved_at: savedAt,
    files: entries,
    metrics: meta.metrics ?? {},
  };
  if (meta.extra !== undefined) info.extra = meta.extra;
  const infoKey = versionFileKey(name, version, VERSION_FILE);
  if ((await store.put(infoKey, encodeJson(info), { ifMatch: null })) === undefined) {
    throw new CheckpointConflictError(
      `${store.describe(infoKey)} already exists although this save claimed it`,
      {
        name,
        version,
      },
    );
  }
  crashPoint('save.version-written');

  return info;
}

/**
 * A save that failed half-way (e.g. an I/O error) removes what it wrote of its version, claim included,
 * so no half-written version is left behind; then rethrows. Should the clean-up fail too, the error says
 * which folder to remove (loads skip it meanwhile: it has no `_version.json`).
 */
async function removeVersion(
  store: CheckpointStore,
  name: string,
  version: number,
  error: unknown,
): Promise<never> {
  // A clash means another writer is in this folder: its files are not ours to remove.
  if (error instanceof CheckpointConflictError) throw error;
  const prefix = `${versionKey(name, version)}/`;
  try {
    await removeKeys(store, prefix);
  } catch (cleanup) {
    throw new CheckpointError(
      'CHECKPOINT_CORRUPT',
      `Saving ${versionDir(version)} of "${name}" failed (${error instanceof Error ? error.message : String(error)}) ` +
        `and its partial files could not be removed (${cleanup instanceof Error ? cleanup.message : String(cleanup)}); ` +
        `delete ${store.describe(prefix)}`,
      { name, version, location: store.describe(prefix) },
      error,
    );
  }
  throw error;
}

async function removeKeys(store: CheckpointStore, prefix: string): Promise<void> {
  for (const key of await store.list(prefix)) await store.delete(key);
}

/**
 * Remove an inactive version's files (e.g. a candidate whose promotion lost the race). The active version
 * is never removed.
 * @throws ConfigError when `version` is the active one.
 * @example
 * await deleteVersion(store, 'twiga', 5);
 */
export async function deleteVersion(store: CheckpointStore, name: string, version: number): Promise<void> {
  assertSafeKey(name, 'checkpoint name');
  const target = checkVersionArg(version);
  const current = await readManifest(store, name);
  if (current?.manifest.version === target) {
    throw new ConfigError(`Version ${versionDir(target)} of "${name}" is active and cannot be deleted`, [
      { path: 'version', message: 'is the active version' },
    ]);
  }
  await removeKeys(store, `${versionKey(name, target)}/`);
}

/**
 * Load checkpoint `name`: the manifest's active version, or `options.version`; every file's size and sha256
 * are verified. Without a manifest, falls back to the newest complete version (one with `_version.json`),
 * skipping incomplete ones, and says so in `fallback`. A bad file in the chosen version is an error, never a
 * reason to fall back further.
 * @param store where to read.
 * @param name checkpoint name.
 * @param options `version`: load this version instead of the active one (it must be complete).
 * @throws CheckpointError CHECKPOINT_NOT_FOUND (nothing there, naming `store.describe(name)`, or the version
 *   is missing/incomplete); CHECKPOINT_CORRUPT (unreadable manifest or `_version.json`, or a missing/altered
 *   file, naming it with expected and actual hash).
 * @example
 * const { files, manifest, fallback } = await loadCheckpoint(store, 'twiga');
 * if (fallback) console.warn(fallback);
 * const pipeline = files['pipeline.json'];
 */
export async function loadCheckpoint(
  store: CheckpointStore,
  name: string,
  options: { version?: number } = {},
): Promise<LoadedCheckpoint> {
  assertSafeKey(name, 'checkpoint name');
  const wanted = options.version === undefined ? undefined : checkVersionArg(options.version);
  const current = await readManifest(store, name);
  const etag = current ? { etag: current.etag } : {};

  if (current && (wanted === undefined || wanted === current.manifest.version)) {
    const { manifest } = current;
    const files = await readVerifiedFiles(store, name, manifest.version, manifest.files);
    return { manifest, version: manifest.version, files, ...etag };
  }
  const history = current?.manifest.history ?? [];
  if (wanted !== undefined) {
    const info = await requireVersionInfo(store, name, wanted);
    const files = await readVerifiedFiles(store, name, wanted, info.files);
    return { manifest: manifestFor(info, history), version: wanted, files, ...etag };
  }

  const versions = versionsInKeys(name, await store.list(`${name}/`)).reverse();
  const skipped: string[] = [];
  for (const version of versions) {
    const info = await readVersionInfo(store, name, version);
    if (!info) {
      skipped.push(versionDir(version));
      continue;
    }
    const files = await readVerifiedFiles(store, name, version, info.files);
    const skippedNote =
      skipped.length > 0 ? ` (skipped incomplete ${skipped.join(', ')}: no ${VERSION_FILE})` : '';
    const fallback =
      `No manifest at ${store.describe(manifestKey(name))}; loaded the newest complete version ` +
      `${versionDir(version)}${skippedNote}`;
    return { manifest: manifestFor(info, []), version, files, fallback };
  }
  const message =
    versions.length === 0
      ? `No checkpoint "${name}" at ${store.describe(name)}`
      : `No complete version of checkpoint "${name}" at ${store.describe(name)}: ` +
        `no manifest, and ${skipped.join(', ')} lack ${VERSION_FILE} (interrupted saves?)`;
  throw new CheckpointError('CHECKPOINT_NOT_FOUND', message, { name, location: store.describe(name) });
}

/**
 * Every version folder of checkpoint `name`, ascending, with what its `_version.json` says.
 * @param store where to read.
 * @param name checkpoint name.
 * @example
 * for (const v of await listVersions(store, 'twiga')) console.log(v.version, v.active, v.complete);
 */
export async function listVersions(store: CheckpointStore, name: string): Promise<VersionSummary[]> {
  assertSafeKey(name, 'checkpoint name');
  const current = await readManifest(store, name);
  const versions = versionsInKeys(name, await store.list(`${name}/`));
  return Promise.all(
    versions.map(async (version): Promise<VersionSummary> => {
      const active = current?.manifest.version === version;
      let info: VersionInfo | undefined;
      try {
        info = await readVersionInfo(store, name, version);
      } catch (error) {
        if (!(error instanceof CheckpointError)) throw error;
        return { version, complete: false, active, metrics: {}, note: error.message };
      }
      if (!info)
        return {
          version,
          complete: false,
          active,
          metrics: {},
          note: `no ${VERSION_FILE} (interrupted save?)`,
        };
      const { saved_at, model_type, metrics } = info;
      return { version, complete: true, active, saved_at, model_type, metrics };
    }),
  );
}

/**
 * Make `version` the active version again: verify its files first, then compare-and-swap the manifest,
 * appending a `rollback` history entry. A no-op when it is already active. Also promotes a version
 * saved with `activate: false`.
 * @param store where the checkpoint lives.
 * @param name checkpoint name.
 * @param version the (complete) version to activate.
 * @param options `now` (default `() => new Date()`).
 * @example
 * const manifest = await rollback(store, 'twiga', 2);
 * manifest.history.at(-1); // { version: 2, action: 'rollback', … }
 */
export async function rollback(
  store: CheckpointStore,
  name: string,
  version: number,
  options: { now?: () => Date } = {},
): Promise<Manifest> {
  assertSafeKey(name, 'checkpoint name');
  const target = checkVersionArg(version);
  const now = options.now ?? (() => new Date());
  const info = await requireVersionInfo(store, name, target);
  await readVerifiedFiles(store, name, target, info.files);
  return commitManifest(store, name, (live) =>
    live?.version === target
      ? undefined
      : manifestFor(info, [...(live?.history ?? []), historyEntry(info, 'rollback', now())]),
  );
}
