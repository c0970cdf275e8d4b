/**
 * Publish a checkpoint folder, or a whole fleet, to R2 (local Miniflare state or a real bucket): verify, copy
 * the immutable files that are missing, manifests last.
 */
import { createHash } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { R2CheckpointStore } from '../edge/r2-store.js';
import { loadCheckpoint } from '../runtime/checkpoint/checkpoint.js';
import { CheckpointConflictError } from '../runtime/checkpoint/conflict.js';
import {
  assertSafeKey,
  CLAIM_FILE,
  manifestKey,
  VERSION_FILE,
  versionDir,
  versionFileKey,
  versionsInKeys,
} from '../runtime/checkpoint/keys.js';
import { encodeJson } from '../runtime/checkpoint/manifest.js';
import { listModels } from '../runtime/checkpoint/models.js';
import { readVerifiedFiles, readVersionInfo } from '../runtime/checkpoint/read.js';
import type { CheckpointStore } from '../runtime/checkpoint/store.js';
import { crashPoint } from '../runtime/crash-points.js';
import { CheckpointError, ConfigError } from '../runtime/errors.js';
import { mapLimit } from '../runtime/map-limit.js';
import { FsCheckpointStore } from './fs-store.js';
import { s3StoreFromEnv } from './s3-store.js';

/** The R2 binding and bucket of wrangler.toml, which `wrangler dev` simulates locally. */
export const LOCAL_R2 = { binding: 'CHECKPOINTS', bucket: 'twiga-checkpoints' } as const;
/** Where `wrangler dev` keeps local state unless given `--persist-to`. */
export const DEFAULT_PERSIST_TO = '.wrangler/state';

const PARALLEL = 8;

/** A checkpoint folder and the store to copy it to. */
export interface PublishOptions {
  /** Checkpoint folder on disk, `<root>/<name>` (the one holding `_checkpoint_manifest.json`). */
  checkpoint: string;
  /** Where to copy it. */
  destination: CheckpointStore;
  /** Checkpoint name in the destination. Default: the folder's name. */
  name?: string;
}

/** What a publish did; printed as JSON by `twiga-edge publish`. */
export interface PublishSummary {
  /** Checkpoint name in the destination. */
  name: string;
  /** The source folder. */
  source: string;
  /** `destination.describe(name)`, e.g. `r2://twiga-checkpoints/twiga`. */
  destination: string;
  /** The version the destination's manifest now makes active. */
  version: number;
  /** Versions whose files were copied (or found already there), ascending. */
  versions: number[];
  /** Objects written, the manifest included. */
  objects_written: number;
  /** Objects already present with the same bytes. */
  objects_skipped: number;
  bytes_written: number;
  manifest: 'written' | 'unchanged';
  /** Active version of the destination before, `null` when it had no (readable) manifest. */
  previous_version: number | null;
  /** Source versions left out because they lack `_version.json` (interrupted saves). */
  incomplete?: string[];
  /** Set when the source had no manifest: which version was published as active, and why. */
  fallback?: string;
  /** Local Miniflare/wrangler state folder, for `--local`. */
  persist_to?: string;
}

interface Item {
  /** Key relative to the checkpoint, e.g. `v0001/linear.onnx`. */
  path: string;
  bytes: Uint8Array;
}

const hex = (algorithm: 'md5' | 'sha256', bytes: Uint8Array): string =>
  createHash(algorithm).update(bytes).digest('hex');

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.from(a).equals(Buffer.from(b));
}

/**
 * Does `key` in `store` hold exactly `bytes`? Decided from the etag when the store's etags are content
 * hashes (R2/S3: MD5 of a single-part upload; the file-system store: sha256), else by reading it.
 */
async function holds(store: CheckpointStore, key: string, bytes: Uint8Array): Promise<boolean | undefined> {
  const info = await store.head(key);
  if (!info) return undefined;
  if (
    info.size === bytes.byteLength &&
    (info.etag === hex('md5', bytes) || info.etag === hex('sha256', bytes))
  ) {
    return true;
  }
  const found = await store.get(key);
  return found ? sameBytes(found.bytes, bytes) : undefined;
}

/** Read and verify everything to copy: every complete version's files, then the manifest's bytes. */
async function readSource(source: CheckpointStore, name: string) {
  const loaded = await loadCheckpoint(source, name);
  const versions = versionsInKeys(name, await source.list(`${name}/`));
  const batches: Item[][] = [];
  const copied: number[] = [];
  const incomplete: string[] = [];
  const raw = async (version: number, file: string) =>
    (await source.get(versionFileKey(name, version, file)))?.bytes;
  for (const version of versions) {
    const dir = versionDir(version);
    let files: Record<string, Uint8Array>;
    if (version === loaded.version) files = loaded.files;
    else {
      const info = await readVersionInfo(source, name, version);
      if (!info) {
        incomplete.push(dir);
        continue;
      }
      files = await readVerifiedFiles(source, name, version, info.files);
    }
    const claim = await raw(version, CLAIM_FILE);
    const info = await raw(version, VERSION_FILE);
    // The version's files (and claim) first, `_version.json` after them: it is what marks a version complete.
    const first = Object.entries(files).map(([file, bytes]) => ({ path: `${dir}/${file}`, bytes }));
    if (claim) first.unshift({ path: `${dir}/${CLAIM_FILE}`, bytes: claim });
    batches.push(first);
    if (info) batches.push([{ path: `${dir}/${VERSION_FILE}`, bytes: info }]);
    copied.push(version);
  }
  let manifest = encodeJson(loaded.manifest);
  if (loaded.etag !== undefined) {
    const live = await source.get(manifestKey(name));
    if (!live || live.etag !== loaded.etag) {
      throw new CheckpointConflictError(
        `${source.describe(manifestKey(name))} changed while it was being published; run publish again`,
        { key: manifestKey(name) },
      );
    }
    manifest = live.bytes;
  }
  return { loaded, batches, copied, incomplete, manifest };
}

function previousVersion(bytes: Uint8Array | undefined): number | null {
  if (!bytes) return null;
  try {
    const version = (JSON.parse(new TextDecoder().decode(bytes)) as { version?: unknown }).version;
    return typeof version === 'number' ? version : null;
  } catch {
    return null;
  }
}

/**
 * Copy checkpoint folder `options.checkpoint` into `options.destination` under `options.name`.
 *
 * Order, so that a reader of the destination never sees a manifest pointing at missing files:
 * 1. verify the source (the active version through `loadCheckpoint`, every other complete version against
 *    its `_version.json`); a bad file stops here, before anything is written;
 * 2. look at every destination key: one already holding different bytes is an error naming each such key
 *    (immutable files are never overwritten), again before anything is written;
 * 3. write the missing files version by version, each version's `_version.json` after its files, with
 *    create-if-absent puts; files already there with the same bytes are skipped;
 * 4. last, the manifest by compare-and-swap on the destination's current etag (or create-if-absent).
 * Versions without `_version.json` in the source are left out and listed in `incomplete`.
 * @param options source folder, destination store, name (default: the folder's name).
 * @returns what was written and skipped; see {@link PublishSummary}.
 * @throws CheckpointError for a missing or corrupt source; CheckpointConflictError when the destination
 *   holds different bytes for an immutable key, or its manifest changed during the publish.
 * @example
 * const summary = await publishCheckpoint({ checkpoint: 'checkpoints/twiga', destination: store });
 * summary.objects_written; // 6 on the first run, 0 on the next
 */
export async function publishCheckpoint(options: PublishOptions): Promise<PublishSummary> {
  const dir = resolve(options.checkpoint);
  const staged = await stage(
    new FsCheckpointStore(dirname(dir)),
    basename(dir),
    options.destination,
    options.name,
  );
  await staged.copy();
  return staged.commit();
}

/** One model verified and checked against the destination: its files copied by `copy`, its manifest by `commit`. */
interface Staged {
  copy(): Promise<void>;
  commit(): Promise<PublishSummary>;
}

/** Steps 1 and 2 of {@link publishCheckpoint} for `sourceName` in `source`: nothing is written yet. */
async function stage(
  source: CheckpointStore,
  sourceName: string,
  dest: CheckpointStore,
  destName?: string,
): Promise<Staged> {
  const name = destName ?? sourceName;
  assertSafeKey(name, 'checkpoint name');
  const { loaded, batches, copied, incomplete, manifest } = await readSource(source, sourceName);

  const items = batches.flat();
  const present = await mapLimit(items, PARALLEL, (item) => holds(dest, `${name}/${item.path}`, item.bytes));
  const clashes = items
    .filter((_, i) => present[i] === false)
    .map((item) => dest.describe(`${name}/${item.path}`));
  if (clashes.length > 0) {
    throw new CheckpointConflictError(
      `Cannot publish "${name}" to ${dest.describe(name)}: these immutable files already exist there with ` +
        `different bytes, and are never overwritten:\n${clashes.map((c) => `  - ${c}`).join('\n')}\n` +
        'Publish under another --name, or delete that checkpoint from the destination first.',
      { name, keys: clashes },
    );
  }

  let written = 0;
  let bytes = 0;
  const todo = new Set(items.filter((_, i) => present[i] === undefined));
  const copy = async () => {
    for (const batch of batches) {
      await mapLimit(
        batch.filter((item) => todo.has(item)),
        PARALLEL,
        async (item) => {
          const key = `${name}/${item.path}`;
          if ((await dest.put(key, item.bytes, { ifMatch: null })) !== undefined) {
            crashPoint('publish.object-copied');
            written++;
            bytes += item.bytes.byteLength;
          } else if (!(await holds(dest, key, item.bytes))) {
            throw new CheckpointConflictError(
              `${dest.describe(key)} was written by someone else during the publish, with different bytes`,
              { name, key },
            );
          }
        },
      );
    }
  };

  const commit = async (): Promise<PublishSummary> => {
    const key = manifestKey(name);
    const current = await dest.get(key);
    const unchanged = current !== undefined && sameBytes(current.bytes, manifest);
    if (!unchanged) {
      crashPoint('publish.before-manifest');
      if ((await dest.put(key, manifest, { ifMatch: current?.etag ?? null })) === undefined) {
        throw new CheckpointConflictError(
          `${dest.describe(key)} changed while publishing (another writer); it was left as that writer made it. ` +
            'Run publish again.',
          { name, key },
        );
      }
      written++;
      bytes += manifest.byteLength;
    }
    const summary: PublishSummary = {
      name,
      source: source.describe(sourceName),
      destination: dest.describe(name),
      version: loaded.version,
      versions: copied,
      objects_written: written,
      objects_skipped: items.length + 1 - written,
      bytes_written: bytes,
      manifest: unchanged ? 'unchanged' : 'written',
      previous_version: previousVersion(current?.bytes),
    };
    if (incomplete.length > 0) summary.incomplete = incomplete;
    if (loaded.fallback) summary.fallback = loaded.fallback;
    return summary;
  };
  return { copy, commit };
}

/** What publishing a fleet did: one summary per model, and totals. */
export interface FleetPublishSummary {
  /** The source root. */
  source: string;
  models: PublishSummary[];
  totals: {
    models: number;
    objects_written: number;
    objects_skipped: number;
    bytes_written: number;
    manifests_written: number;
  };
  persist_to?: string;
}

/**
 * Publish every model under the root `checkpoints` (`<root>/<name>/` and the fleet layout
 * `<root>/<fleet>/<series>/`, optionally only names starting with `prefix`) under the same names. Every model
 * is verified and checked against the destination before anything is written; then every model's files are
 * copied (only those missing there: unchanged models cost a `head` per file); every manifest goes last, so
 * no server following the destination sees a manifest before all of the fleet's files are in place.
 * @throws CheckpointError when the root holds no model or one is corrupt (nothing written);
 *   CheckpointConflictError as {@link publishCheckpoint}.
 * @example
 * const summary = await publishFleet({ checkpoints: 'checkpoints', destination: store });
 * summary.totals.objects_written; // 0 when nothing changed
 */
export async function publishFleet(options: {
  checkpoints: string;
  destination: CheckpointStore;
  prefix?: string;
}): Promise<FleetPublishSummary> {
  const source = new FsCheckpointStore(resolve(options.checkpoints));
  const names = await listModels(source, options.prefix ?? '');
  if (names.length === 0) {
    throw new CheckpointError(
      'CHECKPOINT_NOT_FOUND',
      `No models under ${source.describe(options.prefix ?? '')}`,
      {
        location: source.root,
      },
    );
  }
  const staged: Staged[] = [];
  for (const name of names) staged.push(await stage(source, name, options.destination));
  for (const model of staged) await model.copy();
  const models: PublishSummary[] = [];
  for (const model of staged) models.push(await model.commit());
  const sum = (f: (m: PublishSummary) => number) => models.reduce((s, m) => s + f(m), 0);
  return {
    source: source.root,
    models,
    totals: {
      models: models.length,
      objects_written: sum((m) => m.objects_written),
      objects_skipped: sum((m) => m.objects_skipped),
      bytes_written: sum((m) => m.bytes_written),
      manifests_written: sum((m) => (m.manifest === 'written' ? 1 : 0)),
    },
  };
}

/** The local R2 bucket `wrangler dev --persist-to <persistTo>` serves, opened through Miniflare in Node. */
export interface LocalR2 {
  store: R2CheckpointStore;
  /** Absolute state folder. */
  persistTo: string;
  /** Stop Miniflare's workerd process. */
  dispose(): Promise<void>;
}

/**
 * Open the local R2 bucket that `wrangler dev --persist-to <persistTo>` uses: wrangler passes Miniflare
 * `defaultPersistRoot: <persistTo>/v3`, which keeps R2 under `<persistTo>/v3/r2/`; this does the same.
 * Miniflare is imported only here (it is a dev dependency, brought by wrangler).
 * @param persistTo state folder. Default `.wrangler/state` (wrangler dev's default).
 * @example
 * const local = await openLocalR2();
 * try { await loadCheckpoint(local.store, 'twiga'); } finally { await local.dispose(); }
 */
export async function openLocalR2(persistTo = DEFAULT_PERSIST_TO): Promise<LocalR2> {
  let miniflare: typeof import('miniflare');
  try {
    miniflare = await import('miniflare');
  } catch (cause) {
    if ((cause as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw cause;
    const message = 'install wrangler (dev dependency) to publish locally';
    throw new ConfigError(`Cannot open the local R2 bucket: ${message}`, [{ path: 'miniflare', message }]);
  }
  const root = resolve(persistTo);
  const mf = new miniflare.Miniflare({
    modules: true,
    script: 'export default {};',
    // Never fetch the `Request.cf` data from Cloudflare (Miniflare would, outside tests, when unset).
    cf: false,
    r2Buckets: { [LOCAL_R2.binding]: LOCAL_R2.bucket },
    defaultPersistRoot: join(root, 'v3'),
  });
  try {
    const bucket = await mf.getR2Bucket(LOCAL_R2.binding);
    const store = new R2CheckpointStore(bucket, { bucketName: LOCAL_R2.bucket });
    return { store, persistTo: root, dispose: () => mf.dispose() };
  } catch (error) {
    await mf.dispose();
    throw error;
  }
}

/** Where `twiga-edge publish` copies to: the local wrangler state, or a real R2 bucket over its S3 API. */
export interface PublishTarget {
  /** One checkpoint folder, `<root>/<name>`. */
  checkpoint?: string;
  /** A checkpoint root: every model under it (a fleet), manifests last. */
  checkpoints?: string;
  /** With `checkpoints`: only names starting with this. */
  prefix?: string;
  name?: string;
  local?: boolean;
  /** With `local`: the state folder. Default `.wrangler/state`. */
  persistTo?: string;
  /** A real R2 bucket; credentials from `R2_ACCESS_KEY_ID` / `R2_SECRET_ACCESS_KEY`. */
  bucket?: string;
  /** With `bucket`: the S3 endpoint. Default `https://<R2_ACCOUNT_ID>.r2.cloudflarestorage.com`. */
  endpoint?: string;
}

function checkTarget(target: PublishTarget): void {
  const problems: Array<{ path: string; message: string }> = [];
  if ((target.checkpoint === undefined) === (target.checkpoints === undefined))
    problems.push({ path: 'checkpoint', message: 'give either --checkpoint DIR/NAME or --checkpoints DIR' });
  if (target.checkpoints !== undefined && target.name !== undefined)
    problems.push({ path: 'name', message: '--name goes with --checkpoint (a fleet keeps its names)' });
  if (target.prefix !== undefined && target.checkpoints === undefined)
    problems.push({ path: 'prefix', message: '--prefix goes with --checkpoints' });
  if (target.local === true && target.bucket !== undefined)
    problems.push({ path: 'bucket', message: 'give either --local or --bucket, not both' });
  if (target.local !== true && target.bucket === undefined)
    problems.push({ path: 'local', message: 'expected --local or --bucket <name>' });
  if (target.persistTo !== undefined && target.local !== true)
    problems.push({ path: 'persistTo', message: '--persist-to goes with --local' });
  if (target.endpoint !== undefined && target.bucket === undefined)
    problems.push({ path: 'endpoint', message: '--endpoint goes with --bucket' });
  if (problems.length === 0) return;
  const lines = problems.map((p) => `  - ${p.path}: ${p.message}`).join('\n');
  throw new ConfigError(`Invalid publish destination:\n${lines}`, problems);
}

/**
 * Publish to the local R2 state (`local`, for `wrangler dev`) or to a real R2 bucket (`bucket`).
 * @example
 * await publish({ checkpoint: 'checkpoints/twiga', local: true });
 * await publish({ checkpoint: 'checkpoints/twiga', bucket: 'twiga-checkpoints' });
 */
export async function publish(target: PublishTarget & { checkpoint: string }): Promise<PublishSummary>;
export async function publish(target: PublishTarget & { checkpoints: string }): Promise<FleetPublishSummary>;
export async function publish(target: PublishTarget): Promise<PublishSummary | FleetPublishSummary>;
export async function publish(target: PublishTarget): Promise<PublishSummary | FleetPublishSummary> {
  checkTarget(target);
  const run = (destination: CheckpointStore) =>
    target.checkpoints !== undefined
      ? publishFleet({
          checkpoints: target.checkpoints,
          destination,
          ...(target.prefix === undefined ? {} : { prefix: target.prefix }),
        })
      : publishCheckpoint({
          checkpoint: target.checkpoint!,
          destination,
          ...(target.name === undefined ? {} : { name: target.name }),
        });
  if (target.bucket !== undefined) {
    const endpoint = target.endpoint === undefined ? {} : { endpoint: target.endpoint };
    return run(s3StoreFromEnv({ bucket: target.bucket, ...endpoint }));
  }
  const local = await openLocalR2(target.persistTo);
  try {
    return { ...(await run(local.store)), persist_to: local.persistTo };
  } finally {
    await local.dispose();
  }
}
