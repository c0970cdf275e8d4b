/** An in-memory CheckpointStore: for browsers (no file system) and tests. */
import { assertSafeKey } from './keys.js';
import type { CheckpointStore, ObjectInfo, PutOptions } from './store.js';

interface Entry {
  bytes: Uint8Array;
  etag: string;
}

/**
 * Keeps objects in a Map, copying bytes in and out so callers cannot alter stored data.
 * Etags come from a per-store write counter, so every write, even of equal bytes, gets a new etag;
 * each `put` checks `ifMatch` and writes without yielding, so compare-and-swap is atomic.
 * @example
 * const store = new MemoryCheckpointStore();
 * await saveCheckpoint(store, 'twiga', files, meta);
 */
export class MemoryCheckpointStore implements CheckpointStore {
  readonly #objects = new Map<string, Entry>();
  readonly #label: string;
  #writes = 0;

  /** @param label shown by `describe`, as `memory://<label>/<key>`. Default `mem`. */
  constructor(label = 'mem') {
    this.#label = label;
  }

  async get(key: string): Promise<{ bytes: Uint8Array; etag: string } | undefined> {
    assertSafeKey(key);
    const entry = this.#objects.get(key);
    return entry && { bytes: entry.bytes.slice(), etag: entry.etag };
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    assertSafeKey(key);
    const entry = this.#objects.get(key);
    return entry && { key, etag: entry.etag, size: entry.bytes.byteLength };
  }

  async put(key: string, bytes: Uint8Array, options: PutOptions = {}): Promise<string | undefined> {
    assertSafeKey(key);
    const current = this.#objects.get(key);
    if (options.ifMatch === null && current) return undefined;
    if (typeof options.ifMatch === 'string' && current?.etag !== options.ifMatch) return undefined;
    const etag = `m${++this.#writes}`;
    this.#objects.set(key, { bytes: bytes.slice(), etag });
    return etag;
  }

  async list(prefix: string): Promise<string[]> {
    return [...this.#objects.keys()].filter((key) => key.startsWith(prefix)).sort();
  }

  async delete(key: string): Promise<void> {
    assertSafeKey(key);
    this.#objects.delete(key);
  }

  describe(key: string): string {
    return `memory://${this.#label}/${key}`;
  }
}
