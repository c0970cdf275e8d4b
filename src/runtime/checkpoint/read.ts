/** Reading a checkpoint's bookkeeping from a store: the manifest, a version's `_version.json`, verified files. */
import { CheckpointError } from '../errors.js';
import { sha256Hex } from './hash.js';
import { manifestKey, VERSION_FILE, versionDir, versionFileKey, versionKey } from './keys.js';
import {
  decodeJson,
  type FileEntry,
  type Manifest,
  ManifestSchema,
  type VersionInfo,
  VersionInfoSchema,
} from './manifest.js';
import type { CheckpointStore } from './store.js';

/**
 * The manifest of checkpoint `name` and its etag (for compare-and-swap), or `undefined` when there is none.
 * Malformed JSON or a schema failure throws CheckpointError CHECKPOINT_CORRUPT naming the key and fields.
 * @param store where the checkpoint lives.
 * @param name checkpoint name, e.g. `twiga`.
 * @example
 * const current = await readManifest(store, 'twiga');
 * if (current) console.log(current.manifest.version, current.etag);
 */
export async function readManifest(
  store: CheckpointStore,
  name: string,
): Promise<{ manifest: Manifest; etag: string } | undefined> {
  const key = manifestKey(name);
  const found = await store.get(key);
  if (!found) return undefined;
  const manifest = decodeJson(ManifestSchema, found.bytes, key, store.describe(key));
  return { manifest, etag: found.etag };
}

/** `_version.json` of one version, or `undefined` when the version is incomplete (or absent). */
export async function readVersionInfo(
  store: CheckpointStore,
  name: string,
  version: number,
): Promise<VersionInfo | undefined> {
  const key = versionFileKey(name, version, VERSION_FILE);
  const found = await store.get(key);
  if (!found) return undefined;
  const location = store.describe(key);
  const info = decodeJson(VersionInfoSchema, found.bytes, key, location);
  if (info.version !== version) {
    const message = `expected ${version} (its folder), got ${info.version}`;
    throw new CheckpointError(
      'CHECKPOINT_CORRUPT',
      `Corrupt ${key} at ${location}:\n  - version: ${message}`,
      {
        key,
        location,
        issues: [{ path: 'version', message }],
      },
    );
  }
  return info;
}

/** Like {@link readVersionInfo}, but a missing or incomplete version is CHECKPOINT_NOT_FOUND saying which. */
export async function requireVersionInfo(
  store: CheckpointStore,
  name: string,
  version: number,
): Promise<VersionInfo> {
  const info = await readVersionInfo(store, name, version);
  if (info) return info;
  const folder = versionKey(name, version);
  const present = (await store.list(`${folder}/`)).length > 0;
  const message = present
    ? `Checkpoint "${name}" version ${versionDir(version)} is incomplete: ` +
      `${store.describe(versionFileKey(name, version, VERSION_FILE))} is missing (an interrupted save?)`
    : `Checkpoint "${name}" has no version ${versionDir(version)} at ${store.describe(folder)}`;
  throw new CheckpointError('CHECKPOINT_NOT_FOUND', message, {
    name,
    version,
    location: store.describe(folder),
  });
}

interface FileProblem {
  file: string;
  location: string;
  expected: FileEntry;
  actual?: FileEntry;
  reason: string;
}

async function checkFile(
  store: CheckpointStore,
  key: string,
  file: string,
  expected: FileEntry,
): Promise<Uint8Array | FileProblem> {
  const location = store.describe(key);
  const found = await store.get(key);
  if (!found) return { file, location, expected, reason: `missing (${location})` };
  const actual = { sha256: await sha256Hex(found.bytes), size: found.bytes.byteLength };
  if (actual.sha256 === expected.sha256 && actual.size === expected.size) return found.bytes;
  const reason =
    `sha256 mismatch: expected "${expected.sha256}" (${expected.size} bytes), ` +
    `got "${actual.sha256}" (${actual.size} bytes) at ${location}`;
  return { file, location, expected, actual, reason };
}

/**
 * Read every listed file of a version and check its size and sha256.
 * Any missing or altered file throws one CHECKPOINT_CORRUPT listing every bad file with expected and actual hash.
 */
export async function readVerifiedFiles(
  store: CheckpointStore,
  name: string,
  version: number,
  files: Record<string, FileEntry>,
): Promise<Record<string, Uint8Array>> {
  const names = Object.keys(files).sort();
  const results = await Promise.all(
    names.map((file) => checkFile(store, versionFileKey(name, version, file), file, files[file]!)),
  );
  const out: Record<string, Uint8Array> = {};
  const problems: FileProblem[] = [];
  results.forEach((result, i) => {
    if (result instanceof Uint8Array) out[names[i]!] = result;
    else problems.push(result);
  });
  if (problems.length === 0) return out;
  const lines = problems.map((p) => `  - ${p.file}: ${p.reason}`).join('\n');
  const location = store.describe(versionKey(name, version));
  throw new CheckpointError(
    'CHECKPOINT_CORRUPT',
    `Checkpoint "${name}" version ${versionDir(version)} failed verification (${location}):\n${lines}`,
    { name, version, location, problems },
  );
}
