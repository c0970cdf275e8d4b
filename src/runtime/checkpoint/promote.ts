/** Promotion: make a version active only if the manifest is still the one the decision was made against. */
import { CheckpointError } from '../errors.js';
import { historyEntry, manifestFor } from './commit.js';
import { CheckpointConflictError } from './conflict.js';
import { assertSafeKey, manifestKey, versionDir } from './keys.js';
import { encodeJson, type Manifest } from './manifest.js';
import { readManifest, readVerifiedFiles, requireVersionInfo } from './read.js';
import type { CheckpointStore } from './store.js';

/** The etag the promotion decision was made on (compare-and-swap). */
export interface PromoteOptions {
  /**
   * Etag of the manifest the caller compared against (from `readManifest` or `loadCheckpoint`), or `null`
   * when there was none. The swap happens only if the manifest is unchanged since.
   */
  ifMatch: string | null;
  /** Clock, for tests. @default () => new Date() */
  now?: () => Date;
}

/**
 * Makes `version` the active one by a single compare-and-swap of the manifest against `ifMatch`. Unlike
 * `saveCheckpoint` and `rollback`, it never re-reads and retries: a promotion decided against an incumbent
 * that has since changed must be decided again, so of two concurrent promotions exactly one wins.
 * The version's files are hash-checked first. A manifest that no longer parses is replaced (its history is lost
 * with it), still only if its bytes are unchanged since `ifMatch`.
 * @returns the new manifest and its etag.
 * @throws CheckpointConflictError when the manifest changed since `ifMatch`; CheckpointError when the
 *   version is missing, incomplete or corrupt.
 * @example
 * const current = await readManifest(store, 'twiga');
 * // … the candidate (version 4) beat current.manifest's metrics …
 * await promote(store, 'twiga', 4, { ifMatch: current?.etag ?? null });
 */
export async function promote(
  store: CheckpointStore,
  name: string,
  version: number,
  options: PromoteOptions,
): Promise<{ manifest: Manifest; etag: string }> {
  assertSafeKey(name, 'checkpoint name');
  if (!Number.isInteger(version) || version < 1) {
    throw new CheckpointError('CHECKPOINT_NOT_FOUND', `version must be a positive integer, got ${version}`, {
      version,
    });
  }
  const info = await requireVersionInfo(store, name, version);
  await readVerifiedFiles(store, name, version, info.files);
  const key = manifestKey(name);
  // A manifest that no longer parses (truncated, hand-edited) is replaced, history and all: the
  // compare-and-swap still holds against its bytes, and refusing would leave it unrepairable.
  const live = await readManifest(store, name).catch(async (error: unknown) => {
    if (!(error instanceof CheckpointError && error.code === 'CHECKPOINT_CORRUPT')) throw error;
    const head = await store.head(key);
    return head ? { manifest: undefined, etag: head.etag } : undefined;
  });
  const lost = (actual: string | null) =>
    new CheckpointConflictError(
      `Promotion of ${versionDir(version)} refused: ${store.describe(key)} changed since it was read ` +
        `(expected etag ${options.ifMatch ?? 'none'}, found ${actual ?? 'none'}); compare against the new incumbent and try again`,
      { name, version, expected: options.ifMatch, actual },
    );
  if ((live?.etag ?? null) !== options.ifMatch) throw lost(live?.etag ?? null);
  const now = options.now ?? (() => new Date());
  const next = manifestFor(info, [...(live?.manifest?.history ?? []), historyEntry(info, 'promoted', now())]);
  const etag = await store.put(key, encodeJson(next), { ifMatch: options.ifMatch });
  if (etag === undefined) throw lost((await store.head(key))?.etag ?? null);
  return { manifest: next, etag };
}
