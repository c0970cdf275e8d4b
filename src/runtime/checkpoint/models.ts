/**
 * A store as a set of models: which names under a prefix hold a checkpoint (`<name>/` or, in the fleet
 * layout, `<fleet>/<series>/`), what each one serves, and the rules a model name must follow.
 */
import { CheckpointError, ConfigError } from '../errors.js';
import { mapLimit } from '../map-limit.js';
import { listVersions, type VersionSummary } from './checkpoint.js';
import { keyProblem, MANIFEST_FILE, parseVersionDir, VERSION_FILE } from './keys.js';
import type { Metrics } from './manifest.js';
import { readManifest } from './read.js';
import type { CheckpointStore } from './store.js';

/** Longest accepted model name, in characters (fleet and series together). */
export const MAX_MODEL_NAME_LENGTH = 200;
/** A model name has one segment, or two in the fleet layout (`<fleet>/<series>`). */
export const MAX_MODEL_NAME_SEGMENTS = 2;
const SEGMENT = /^[A-Za-z0-9][\w.=-]*$/;

/**
 * Why `name` is not an acceptable model name, or `undefined` when it is: a safe key (no `..`, no empty
 * segments, not absolute), at most one `/` (the fleet layout), segments of letters, digits, `_ . = -`
 * starting with a letter or digit, and at most {@link MAX_MODEL_NAME_LENGTH} characters.
 */
export function modelNameProblem(name: string): string | undefined {
  if (name.length > MAX_MODEL_NAME_LENGTH) return `longer than ${MAX_MODEL_NAME_LENGTH} characters`;
  const key = keyProblem(name);
  if (key) return key;
  const segments = name.split('/');
  if (segments.length > MAX_MODEL_NAME_SEGMENTS) return 'at most one "/" (the fleet layout <fleet>/<series>)';
  const bad = segments.find((s) => !SEGMENT.test(s));
  if (bad !== undefined)
    return `segment "${bad}" must start with a letter or digit and hold only letters, digits, "_", ".", "=", "-"`;
  if (segments.some((s) => parseVersionDir(s) !== undefined))
    return 'a segment named like a version folder (v0001) is reserved';
  return undefined;
}

/** Throw a ConfigError (path `name`) when `name` is not an acceptable model name. */
export function assertModelName(name: string): void {
  const problem = modelNameProblem(name);
  if (problem) {
    throw new ConfigError(`Invalid model name "${name}": ${problem}`, [{ path: 'name', message: problem }], {
      name,
    });
  }
}

/**
 * The model names found in `keys` (sorted, unique): a folder holding `_checkpoint_manifest.json`, or a
 * `vNNNN/_version.json` (a complete version, which loading falls back to), at most
 * {@link MAX_MODEL_NAME_SEGMENTS} levels deep. Anything else in the keys (reports, data) is ignored.
 */
export function modelNamesInKeys(keys: Iterable<string>): string[] {
  const names = new Set<string>();
  for (const key of keys) {
    const segments = key.split('/');
    const file = segments.at(-1);
    let folder: string[] | undefined;
    if (file === MANIFEST_FILE) folder = segments.slice(0, -1);
    else if (file === VERSION_FILE && parseVersionDir(segments.at(-2) ?? '') !== undefined)
      folder = segments.slice(0, -2);
    if (!folder || folder.length === 0 || folder.length > MAX_MODEL_NAME_SEGMENTS) continue;
    const name = folder.join('/');
    if (modelNameProblem(name) === undefined) names.add(name);
  }
  return [...names].sort();
}

/**
 * Every model under `prefix` in `store` (names relative to the store root), sorted; one `list(prefix)` call,
 * which each store pages through itself (R2 cursors, S3 continuation tokens), or the store's own
 * `listModels` when it cannot list keys (a URL store).
 * @param prefix e.g. `''` (the whole store) or `feeders/` (one fleet).
 * @example
 * await listModels(store); // ['feeders/f001', 'feeders/f002', 'twiga']
 */
export async function listModels(store: CheckpointStore, prefix = ''): Promise<string[]> {
  if (prefix !== '') {
    const problem = keyProblem(prefix.replace(/\/$/, ''));
    if (problem)
      throw new ConfigError(`Invalid prefix "${prefix}": ${problem}`, [{ path: 'prefix', message: problem }]);
  }
  if (store.listModels)
    return (await store.listModels(prefix)).filter((n) => modelNameProblem(n) === undefined);
  return modelNamesInKeys(await store.list(prefix));
}

/** One page of a sorted name list: names after `cursor` (exclusive), at most `limit`. */
export interface NamePage {
  names: string[];
  /** The cursor of the next page, or `null` on the last one. */
  next: string | null;
}

/**
 * A page of `names` (sorted): those strictly after `cursor`, at most `limit`. The cursor is the last name
 * of the previous page, so pages stay stable while models are added or removed.
 */
export function pageOf(names: readonly string[], limit: number, cursor?: string): NamePage {
  const start = cursor === undefined ? 0 : names.findIndex((n) => n > cursor);
  const from = start < 0 ? names.length : start;
  const page = names.slice(from, from + limit);
  const more = from + limit < names.length;
  return { names: page, next: more ? (page.at(-1) ?? null) : null };
}

/** What a model serves, as `twiga-edge models` and `GET /models` report it. */
export interface ModelSummary {
  name: string;
  /** The active version (the manifest's; the newest complete one when there is no manifest), or null. */
  version: number | null;
  saved_at: string | null;
  model_type: string | null;
  metrics: Metrics;
  /** Set when the model has no manifest (falls back), or cannot be read. */
  note?: string;
}

/**
 * The active version, saved_at and metrics of model `name`; never throws for a corrupt model, which is
 * reported in `note` so one bad model does not hide the others.
 */
export async function modelSummary(store: CheckpointStore, name: string): Promise<ModelSummary> {
  const empty = { name, version: null, saved_at: null, model_type: null, metrics: {} };
  try {
    const current = await readManifest(store, name);
    if (current) {
      const { version, saved_at, model_type, metrics } = current.manifest;
      return { name, version, saved_at, model_type, metrics };
    }
    const newest = (await listVersions(store, name)).filter((v) => v.complete).at(-1);
    if (!newest) return { ...empty, note: 'no manifest and no complete version' };
    return { ...summaryOf(name, newest), note: `no ${MANIFEST_FILE}: newest complete version served` };
  } catch (error) {
    if (!(error instanceof CheckpointError)) throw error;
    return { ...empty, note: error.message };
  }
}

function summaryOf(name: string, v: VersionSummary): ModelSummary {
  return {
    name,
    version: v.version,
    saved_at: v.saved_at ?? null,
    model_type: v.model_type ?? null,
    metrics: v.metrics,
  };
}

/**
 * Summaries of every model under `prefix`, read a few at a time.
 * @example
 * for (const m of await modelSummaries(store)) console.log(m.name, m.version, m.saved_at);
 */
export async function modelSummaries(
  store: CheckpointStore,
  prefix = '',
  concurrency = 8,
): Promise<ModelSummary[]> {
  const names = await listModels(store, prefix);
  return mapLimit(names, concurrency, (name) => modelSummary(store, name));
}
