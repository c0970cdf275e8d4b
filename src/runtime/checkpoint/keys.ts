/** Key layout of a checkpoint (`<name>/_checkpoint_manifest.json`, `<name>/v0003/…`) and key safety checks. */
import { ConfigError } from '../errors.js';

/** The manifest's file name: the only mutable object of a checkpoint. */
export const MANIFEST_FILE = '_checkpoint_manifest.json';
/** The file whose presence makes a version complete (written after its other files). */
export const VERSION_FILE = '_version.json';
/** Claims a version number before any of its files are written (create-if-absent). */
export const CLAIM_FILE = '_claim.json';

const RESERVED = new Set([VERSION_FILE, CLAIM_FILE]);
const VERSION_DIR = /^v(\d{4,})$/;

/**
 * Why `key` is unsafe as a relative `/`-separated key, or `undefined` when it is fine.
 * Rejects empty, absolute, drive-prefixed, backslashed, `.`/`..` or empty segments and control characters.
 */
export function keyProblem(key: string): string | undefined {
  if (key === '') return 'must not be empty';
  if (key.startsWith('/')) return 'must be relative, not start with "/"';
  if (/^[A-Za-z]:/.test(key)) return 'must not start with a drive letter';
  if (key.includes('\\')) return 'must use "/" separators, not "\\"';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting them is the point
  if (/[\u0000-\u001f\u007f]/.test(key)) return 'must not contain control characters';
  for (const segment of key.split('/')) {
    if (segment === '') return 'must not contain empty segments ("//" or a trailing "/")';
    if (segment === '.' || segment === '..') return `must not contain a "${segment}" segment`;
  }
  return undefined;
}

/**
 * Throw a ConfigError when `key` could escape its root or is malformed.
 * @param what names the value in the message, e.g. "checkpoint name" or "key".
 */
export function assertSafeKey(key: string, what = 'key'): void {
  const problem = keyProblem(key);
  if (problem) {
    throw new ConfigError(`Invalid ${what} "${key}": ${problem}`, [{ path: what, message: problem }], {
      key,
    });
  }
}

/** Throw a ConfigError when `file` is unsafe or collides with a reserved checkpoint file name. */
export function assertFileName(file: string): void {
  assertSafeKey(file, 'file name');
  if (RESERVED.has(file)) {
    const message = `"${file}" is reserved for the checkpoint's own bookkeeping`;
    throw new ConfigError(`Invalid file name "${file}": ${message}`, [{ path: 'file name', message }], {
      file,
    });
  }
}

/** `3` → `v0003` (more digits past 9999). */
export function versionDir(version: number): string {
  return `v${String(version).padStart(4, '0')}`;
}

/** `v0003` → `3`; `undefined` for anything that is not a version folder. */
export function parseVersionDir(segment: string): number | undefined {
  const match = VERSION_DIR.exec(segment);
  return match ? Number(match[1]) : undefined;
}

export const manifestKey = (name: string): string => `${name}/${MANIFEST_FILE}`;
export const versionKey = (name: string, version: number): string => `${name}/${versionDir(version)}`;
export const versionFileKey = (name: string, version: number, file: string): string =>
  `${versionKey(name, version)}/${file}`;

/** Version numbers that have at least one object under `<name>/vNNNN/`, ascending. */
export function versionsInKeys(name: string, keys: readonly string[]): number[] {
  const prefix = `${name}/`;
  const found = new Set<number>();
  for (const key of keys) {
    if (!key.startsWith(prefix)) continue;
    const rest = key.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash < 0) continue;
    const version = parseVersionDir(rest.slice(0, slash));
    if (version !== undefined) found.add(version);
  }
  return [...found].sort((a, b) => a - b);
}
