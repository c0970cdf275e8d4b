/** The storage contract every platform implements: file system (Node), R2 (edge), memory/URL (browser). */

/** Metadata of a stored object; `etag` changes whenever the bytes change. */
export interface ObjectInfo {
  key: string;
  etag: string;
  size: number;
}

/** Options of `CheckpointStore.put`. */
export interface PutOptions {
  /**
   * Compare-and-swap: write only if the object's current etag equals this value;
   * `null` means "only if the object does not exist yet". Omit for an unconditional write.
   */
  ifMatch?: string | null;
}

/**
 * A flat key/value store of immutable files plus one mutable manifest per checkpoint.
 * Keys use `/` separators and are relative to the store's root, e.g. `twiga/v0003/linear.onnx`.
 */
export interface CheckpointStore {
  /** Bytes and etag of `key`, or `undefined` when it does not exist. */
  get(key: string): Promise<{ bytes: Uint8Array; etag: string } | undefined>;
  /** Metadata of `key` without reading it, or `undefined`. */
  head(key: string): Promise<ObjectInfo | undefined>;
  /** Write `bytes` at `key`. Returns the new etag, or `undefined` when `ifMatch` did not hold. */
  put(key: string, bytes: Uint8Array, options?: PutOptions): Promise<string | undefined>;
  /** Keys under `prefix` (recursive), sorted. */
  list(prefix: string): Promise<string[]>;
  /**
   * Model names under `prefix`, sorted — only for a store that cannot list keys (the URL store reads the
   * edge's `_models.json`); the others leave it out and `listModels` derives the names from `list`.
   */
  listModels?(prefix: string): Promise<string[]>;
  /** Remove `key`; no error when it is already gone. */
  delete(key: string): Promise<void>;
  /** Human-readable location of `key`, e.g. an absolute path or `r2://bucket/key`. */
  describe(key: string): string;
}
