/** CheckpointStore over a directory: atomic temp+rename writes, content-hash etags, lock-file compare-and-swap. */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, type Dirent } from 'node:fs';
import { link, mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { CheckpointConflictError } from '../runtime/checkpoint/conflict.js';
import { keyProblem } from '../runtime/checkpoint/keys.js';
import type { CheckpointStore, ObjectInfo, PutOptions } from '../runtime/checkpoint/store.js';
import { crashPoint } from '../runtime/crash-points.js';
import { ConfigError } from '../runtime/errors.js';

const TMP_MARK = '.twiga-tmp-';
const LOCK_MARK = '.twiga-lock';

export interface FsStoreOptions {
  /** A lock file older than this is taken as abandoned by a crashed writer and broken. Default 30 000 ms. */
  staleLockMs?: number;
  /** Give up (CheckpointConflictError) after waiting this long for a key's lock. Default 10 000 ms. */
  lockTimeoutMs?: number;
  /** fsync each file before its rename and the directory after, so a crash never leaves a torn file. Default true. */
  durable?: boolean;
}

const isInternal = (name: string): boolean => name.includes(TMP_MARK) || name.includes(LOCK_MARK);
const errno = (error: unknown): string | undefined => (error as { code?: string } | null)?.code;
// A name too long for the file system names no object either (a hostile `/checkpoints/…` path).
const missing = (error: unknown): boolean =>
  ['ENOENT', 'ENOTDIR', 'EISDIR', 'ENAMETOOLONG'].includes(errno(error) ?? '');
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const nonce = (): string => randomBytes(6).toString('hex');
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errno(error) === 'EPERM';
  }
}

/**
 * A CheckpointStore rooted at a directory; keys are `/`-separated paths below it.
 *
 * Etag = sha256 of the content. Unlike mtime+size it cannot collide when a file is rewritten within the
 * clock's granularity with the same length, it survives copies between machines, and for an immutable
 * checkpoint file it equals the hash the manifest records. The cost: `head` reads the whole file.
 *
 * Writes go to a temp file in the same directory (fsynced), then `rename` over the target, so readers see
 * the old or the new bytes, never a mix. Every write and delete of a key holds that key's lock: an
 * in-process queue, then a `<file>.twiga-lock` created with `open(…, 'wx')` (O_CREAT|O_EXCL), so an
 * `ifMatch` check and its rename are atomic against other writers in this process and in other processes
 * on the same host or a file system with atomic exclusive create (local disks; NFSv3+). A lock whose owner
 * pid is dead (same host) or older than `staleLockMs` is broken, so the guarantee assumes no writer holds
 * a lock longer than that; the lock covers only the check and rename, not writing the bytes.
 * Keys cannot escape the root (`..`, absolute, drive and backslash paths are rejected); symlinks placed
 * inside the root by someone else are followed.
 * @example
 * const store = new FsCheckpointStore('./checkpoints');
 * await saveCheckpoint(store, 'twiga', files, meta);
 */
export class FsCheckpointStore implements CheckpointStore {
  /** Absolute root directory. */
  readonly root: string;
  readonly #staleLockMs: number;
  readonly #lockTimeoutMs: number;
  readonly #durable: boolean;
  readonly #queues = new Map<string, Promise<void>>();

  /**
   * @param root directory holding the checkpoints; created on first write.
   * @param options lock timing and durability, see {@link FsStoreOptions}.
   */
  constructor(root: string, options: FsStoreOptions = {}) {
    this.root = path.resolve(root);
    this.#staleLockMs = options.staleLockMs ?? 30_000;
    this.#lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
    this.#durable = options.durable ?? true;
  }

  async get(key: string): Promise<{ bytes: Uint8Array; etag: string } | undefined> {
    const file = this.#resolve(key);
    try {
      const buffer = await readFile(file);
      const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
      return { bytes, etag: sha256(bytes) };
    } catch (error) {
      if (missing(error)) return undefined;
      throw error;
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const current = await this.#currentInfo(this.#resolve(key));
    return current && { key, ...current };
  }

  async put(key: string, bytes: Uint8Array, options: PutOptions = {}): Promise<string | undefined> {
    const file = this.#resolve(key);
    const dir = path.dirname(file);
    await mkdir(dir, { recursive: true });
    const temp = `${file}${TMP_MARK}${process.pid}-${nonce()}`;
    let renamed = false;
    try {
      await this.#writeFile(temp, bytes);
      renamed = await this.#exclusive(file, async () => {
        if (options.ifMatch === null && (await this.#exists(file))) return false;
        if (
          typeof options.ifMatch === 'string' &&
          (await this.#currentInfo(file))?.etag !== options.ifMatch
        ) {
          return false;
        }
        crashPoint('store.before-rename');
        await rename(temp, file);
        return true;
      });
    } finally {
      if (!renamed) await unlink(temp).catch(() => undefined);
    }
    if (!renamed) return undefined;
    await this.#syncDir(dir);
    return sha256(bytes);
  }

  async list(prefix: string): Promise<string[]> {
    const slash = prefix.lastIndexOf('/');
    const dirKey = slash < 0 ? '' : prefix.slice(0, slash);
    const start = dirKey === '' ? this.root : this.#resolve(dirKey);
    const keys: string[] = [];
    await this.#walk(start, dirKey, keys);
    return keys.filter((key) => key.startsWith(prefix)).sort();
  }

  async delete(key: string): Promise<void> {
    const file = this.#resolve(key);
    await this.#exclusive(file, async () => {
      await unlink(file).catch((error) => {
        if (errno(error) !== 'ENOENT' && errno(error) !== 'ENOTDIR') throw error;
      });
    });
  }

  /** The absolute path `key` maps to (not validated: it is for messages). */
  describe(key: string): string {
    return path.resolve(this.root, ...key.split('/'));
  }

  #resolve(key: string): string {
    let problem = keyProblem(key);
    if (!problem && key.split('/').some(isInternal)) {
      problem = `must not contain "${TMP_MARK}" or "${LOCK_MARK}", reserved for the store's temp and lock files`;
    }
    const file = problem ? '' : path.resolve(this.root, ...key.split('/'));
    const relative = path.relative(this.root, file);
    if (!problem && (relative === '' || relative.startsWith('..') || path.isAbsolute(relative))) {
      problem = `resolves outside the store root ${this.root}`;
    }
    if (problem) {
      throw new ConfigError(`Invalid key "${key}": ${problem}`, [{ path: 'key', message: problem }], {
        key,
        root: this.root,
      });
    }
    return file;
  }

  async #walk(dir: string, dirKey: string, out: string[]): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (missing(error)) return;
      throw error;
    }
    for (const entry of entries) {
      const key = dirKey === '' ? entry.name : `${dirKey}/${entry.name}`;
      if (entry.isDirectory()) await this.#walk(path.join(dir, entry.name), key, out);
      else if (entry.isFile() && !isInternal(entry.name)) out.push(key);
    }
  }

  async #exists(file: string): Promise<boolean> {
    try {
      await stat(file);
      return true;
    } catch (error) {
      if (missing(error)) return false;
      throw error;
    }
  }

  async #currentInfo(file: string): Promise<{ etag: string; size: number } | undefined> {
    const hash = createHash('sha256');
    let size = 0;
    try {
      for await (const chunk of createReadStream(file)) {
        hash.update(chunk as Buffer);
        size += (chunk as Buffer).byteLength;
      }
    } catch (error) {
      if (missing(error)) return undefined;
      throw error;
    }
    return { etag: hash.digest('hex'), size };
  }

  async #writeFile(file: string, bytes: Uint8Array): Promise<void> {
    const handle = await open(file, 'wx');
    try {
      await handle.writeFile(bytes);
      if (this.#durable) await handle.sync();
    } finally {
      await handle.close();
    }
  }

  async #syncDir(dir: string): Promise<void> {
    if (!this.#durable) return;
    // Directory fsync makes the rename itself durable; some platforms (Windows) refuse it, which is fine.
    const handle = await open(dir, 'r').catch(() => undefined);
    if (!handle) return;
    await handle.sync().catch(() => undefined);
    await handle.close();
  }

  /** Run `fn` holding `file`'s lock: first this store's in-process queue, then the lock file. */
  async #exclusive<T>(file: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#queues.get(file) ?? Promise.resolve();
    let done!: () => void;
    const turn = new Promise<void>((resolve) => {
      done = resolve;
    });
    const mine = previous.then(() => turn);
    this.#queues.set(file, mine);
    await previous;
    try {
      const release = await this.#lock(file);
      try {
        return await fn();
      } finally {
        await release();
      }
    } finally {
      done();
      if (this.#queues.get(file) === mine) this.#queues.delete(file);
    }
  }

  async #lock(file: string): Promise<() => Promise<void>> {
    const lockFile = `${file}${LOCK_MARK}`;
    const token = `${process.pid}@${hostname()}#${nonce()}`;
    const deadline = Date.now() + this.#lockTimeoutMs;
    for (let wait = 1; ; wait = Math.min(wait * 2, 50)) {
      try {
        const handle = await open(lockFile, 'wx');
        try {
          await handle.writeFile(JSON.stringify({ pid: process.pid, host: hostname(), token }));
        } finally {
          await handle.close();
        }
        return () => this.#unlock(lockFile, token);
      } catch (error) {
        if (errno(error) !== 'EEXIST') throw error;
      }
      if (await this.#breakIfStale(lockFile)) continue;
      if (Date.now() > deadline) {
        throw new CheckpointConflictError(
          `Timed out after ${this.#lockTimeoutMs} ms waiting for the lock ${lockFile}; ` +
            'if no writer is running, delete that file',
          { lockFile },
        );
      }
      await pause(wait + Math.random() * wait);
    }
  }

  async #unlock(lockFile: string, token: string): Promise<void> {
    const content = await readFile(lockFile, 'utf8').catch(() => '');
    // Only remove our own lock: if it was broken as stale, it may now be someone else's.
    if (content.includes(token)) await unlink(lockFile).catch(() => undefined);
  }

  /** Remove `lockFile` if its owner is dead or it is older than `staleLockMs`; true when it is gone. */
  async #breakIfStale(lockFile: string): Promise<boolean> {
    const seen = await stat(lockFile).catch(() => undefined);
    if (!seen) return true;
    let owner: { pid?: unknown; host?: unknown } = {};
    try {
      owner = JSON.parse(await readFile(lockFile, 'utf8'));
    } catch {
      // Being written right now, or gone: judge by age alone.
    }
    const dead = owner.host === hostname() && typeof owner.pid === 'number' && !pidAlive(owner.pid);
    if (!dead && Date.now() - seen.mtimeMs < this.#staleLockMs) return false;
    // Move it aside first: only one breaker wins the rename, and the inode check tells whether we moved
    // the stale lock or one created after our stat (which we then try to put back).
    const aside = `${lockFile}-stale-${nonce()}`;
    try {
      await rename(lockFile, aside);
    } catch (error) {
      if (errno(error) === 'ENOENT') return true;
      throw error;
    }
    const moved = await stat(aside);
    if (moved.ino !== seen.ino || moved.dev !== seen.dev) {
      await link(aside, lockFile).catch(() => undefined);
      await unlink(aside).catch(() => undefined);
      return false;
    }
    await unlink(aside).catch(() => undefined);
    return true;
  }
}
