/** CheckpointStore over a Cloudflare R2 bucket binding: R2 etags, conditional puts for compare-and-swap. */
import { assertSafeKey } from '../runtime/checkpoint/keys.js';
import type { CheckpointStore, ObjectInfo, PutOptions } from '../runtime/checkpoint/store.js';
import type { R2BucketLike, R2ConditionalLike } from './r2-types.js';

/** Key prefix, bucket name and list page size of an R2-backed store. */
export interface R2StoreOptions {
  /** Folder inside the bucket holding the checkpoints, e.g. `checkpoints/`; a missing trailing `/` is added. Default none. */
  prefix?: string;
  /** Bucket name shown by `describe`. Default `bucket`. */
  bucketName?: string;
  /** Objects per `list` page (R2 returns at most 1000). Default 1000. */
  pageSize?: number;
}

/** `ifMatch` → R2's `onlyIf`; `null` becomes `If-None-Match: *`, which R2 checks atomically with the write. */
function condition(ifMatch: string | null | undefined): R2ConditionalLike | undefined {
  if (ifMatch === undefined) return undefined;
  return ifMatch === null ? { etagDoesNotMatch: '*' } : { etagMatches: ifMatch };
}

/**
 * A CheckpointStore over an R2 bucket, typed structurally ({@link R2BucketLike}) so it runs on the
 * Workers binding and on Miniflare's `getR2Bucket()` in Node alike.
 *
 * Etags are R2's (the MD5 of the bytes for single-part uploads). `put` with `ifMatch` is a
 * conditional put: R2 tests the condition and writes in one step, so a stale etag, or `ifMatch: null`
 * on an existing key, resolves to `undefined` and leaves the object alone. `list` follows R2's
 * cursor over every page. Keys are validated like the other stores' (no `..`, absolute or empty segments).
 * @example
 * const store = new R2CheckpointStore(env.CHECKPOINTS, { prefix: 'checkpoints/', bucketName: 'twiga-checkpoints' });
 * const loaded = await loadCheckpoint(store, 'twiga');
 */
export class R2CheckpointStore implements CheckpointStore {
  readonly #bucket: R2BucketLike;
  readonly #prefix: string;
  readonly #bucketName: string;
  readonly #pageSize: number;

  /**
   * @param bucket the R2 binding (e.g. `env.CHECKPOINTS`) or Miniflare's bucket.
   * @param options key prefix, the bucket name for messages and the list page size; see {@link R2StoreOptions}.
   */
  constructor(bucket: R2BucketLike, options: R2StoreOptions = {}) {
    const folder = (options.prefix ?? '').replace(/\/+$/, '');
    if (folder !== '') assertSafeKey(folder, 'prefix');
    this.#bucket = bucket;
    this.#prefix = folder === '' ? '' : `${folder}/`;
    this.#bucketName = options.bucketName ?? 'bucket';
    this.#pageSize = options.pageSize ?? 1000;
  }

  async get(key: string): Promise<{ bytes: Uint8Array; etag: string } | undefined> {
    const object = await this.#bucket.get(this.#full(key));
    if (!object) return undefined;
    return { bytes: new Uint8Array(await object.arrayBuffer()), etag: object.etag };
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const object = await this.#bucket.head(this.#full(key));
    return object ? { key, etag: object.etag, size: object.size } : undefined;
  }

  async put(key: string, bytes: Uint8Array, options: PutOptions = {}): Promise<string | undefined> {
    const onlyIf = condition(options.ifMatch);
    const written = await this.#bucket.put(this.#full(key), bytes, onlyIf ? { onlyIf } : {});
    return written?.etag;
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.#bucket.list({
        prefix: this.#prefix + prefix,
        limit: this.#pageSize,
        ...(cursor === undefined ? {} : { cursor }),
      });
      for (const object of page.objects) keys.push(object.key.slice(this.#prefix.length));
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor !== undefined);
    return keys.sort();
  }

  async delete(key: string): Promise<void> {
    await this.#bucket.delete(this.#full(key));
  }

  describe(key: string): string {
    return `r2://${this.#bucketName}/${this.#prefix}${key}`;
  }

  #full(key: string): string {
    assertSafeKey(key);
    return this.#prefix + key;
  }
}
