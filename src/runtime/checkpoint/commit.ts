/** Writing side of a checkpoint: claim a fresh version number, then swap the manifest by compare-and-swap. */
import { crashPoint } from '../crash-points.js';
import { CheckpointConflictError } from './conflict.js';
import { CLAIM_FILE, manifestKey, versionFileKey, versionsInKeys } from './keys.js';
import { encodeJson, type HistoryEntry, type Manifest, type VersionInfo } from './manifest.js';
import { readManifest } from './read.js';
import type { CheckpointStore } from './store.js';

/** How many times a manifest update re-reads and retries after losing the compare-and-swap. */
export const CAS_ATTEMPTS = 8;
const CLAIM_ATTEMPTS = 1000;

/** One past the highest version seen in folders, the manifest or its history (so deleted numbers are not reused). */
export async function firstFreeVersion(
  store: CheckpointStore,
  name: string,
  manifest: Manifest | undefined,
): Promise<number> {
  const seen = versionsInKeys(name, await store.list(`${name}/`));
  if (manifest) seen.push(manifest.version, ...manifest.history.map((h) => h.version));
  return Math.max(0, ...seen) + 1;
}

/**
 * Reserve the first version ≥ `from` whose `_claim.json` does not exist yet (create-if-absent),
 * so two concurrent saves never share, or overwrite, a version folder.
 */
export async function claimVersion(
  store: CheckpointStore,
  name: string,
  from: number,
  claim: Record<string, unknown>,
): Promise<number> {
  const bytes = encodeJson(claim);
  for (let version = from; version < from + CLAIM_ATTEMPTS; version++) {
    const etag = await store.put(versionFileKey(name, version, CLAIM_FILE), bytes, { ifMatch: null });
    if (etag !== undefined) return version;
  }
  throw new CheckpointConflictError(
    `Could not claim a version of "${name}" at ${store.describe(name)}: versions ${from}…${from + CLAIM_ATTEMPTS - 1} are all taken`,
    { name, from },
  );
}

/** The manifest that makes `info` the active version, with `history` as given. */
export function manifestFor(info: VersionInfo, history: HistoryEntry[]): Manifest {
  const manifest: Manifest = {
    format_version: info.format_version,
    version: info.version,
    checkpoint_file: info.checkpoint_file,
    model_type: info.model_type,
    saved_at: info.saved_at,
    files: info.files,
    metrics: info.metrics,
    history,
  };
  if (info.extra !== undefined) manifest.extra = info.extra;
  return manifest;
}

/** The history entry recording that `info` became active at `at`. */
export function historyEntry(info: VersionInfo, action: HistoryEntry['action'], at: Date): HistoryEntry {
  return {
    version: info.version,
    saved_at: info.saved_at,
    model_type: info.model_type,
    metrics: info.metrics,
    action,
    at: at.toISOString(),
  };
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Replace the manifest by compare-and-swap on its etag: read it, `build` the next one from it, write only if
 * nobody wrote in between; otherwise re-read and rebuild (so history is never lost), up to {@link CAS_ATTEMPTS}.
 * `build` returning `undefined` keeps the current manifest unchanged.
 */
export async function commitManifest(
  store: CheckpointStore,
  name: string,
  build: (current: Manifest | undefined) => Manifest | undefined,
): Promise<Manifest> {
  const key = manifestKey(name);
  for (let attempt = 1; attempt <= CAS_ATTEMPTS; attempt++) {
    const current = await readManifest(store, name);
    const next = build(current?.manifest);
    if (next === undefined) {
      if (current) return current.manifest;
      throw new TypeError(`commitManifest: nothing to keep, "${name}" has no manifest`);
    }
    crashPoint('manifest.before-swap');
    const etag = await store.put(key, encodeJson(next), { ifMatch: current?.etag ?? null });
    if (etag !== undefined) {
      crashPoint('manifest.swapped');
      return next;
    }
    // Jittered backoff spreads out writers that keep colliding.
    await pause(Math.random() * 5 * attempt);
  }
  throw new CheckpointConflictError(
    `Could not update ${store.describe(key)}: lost the compare-and-swap ${CAS_ATTEMPTS} times to concurrent writers; ` +
      'the manifest was left as the last writer made it',
    { name, key, location: store.describe(key), attempts: CAS_ATTEMPTS },
  );
}
