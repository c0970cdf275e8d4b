/**
 * A read-only CheckpointStore over HTTP: keys are fetched from `<base>/<key>` — the edge's
 * `/checkpoints` route or plain static files. Loading through it verifies every hash as usual.
 */
import { z } from 'zod';
import { CheckpointError, ConfigError } from '../errors.js';
import { assertSafeKey } from './keys.js';
import { decodeJson } from './manifest.js';
import type { CheckpointStore, ObjectInfo } from './store.js';

/** The slice of `fetch` used (a platform capability: pass the host's). */
export type FetchLike = (
  url: string,
  init?: { method?: string; headers?: Record<string, string> },
) => Promise<{
  ok: boolean;
  status: number;
  headers: { get(name: string): string | null };
  arrayBuffer(): Promise<ArrayBuffer>;
}>;

/** Options of `UrlCheckpointStore`: the fetch to use and headers to send. */
export interface UrlStoreOptions {
  /** @default globalThis.fetch */
  fetch?: FetchLike;
  /** Sent with every request, e.g. `{ 'x-api-key': key }`. */
  headers?: Record<string, string>;
}

/** The index the edge serves at `/checkpoints/_models.json` (and a static host may hold as a file). */
export const MODELS_INDEX = '_models.json';
const ModelsIndexSchema = z.object({ models: z.array(z.string()) });

const unquote = (etag: string | null): string => (etag ?? '').replace(/^W\//, '').replace(/^"|"$/g, '');

/**
 * @example
 * const store = new UrlCheckpointStore('https://forecast.example.com/checkpoints', { headers: { 'x-api-key': key } });
 * const { files } = await loadCheckpoint(store, 'twiga'); // every sha256 verified
 */
export class UrlCheckpointStore implements CheckpointStore {
  readonly #base: string;
  readonly #fetch: FetchLike;
  readonly #headers: Record<string, string>;

  /** @param base absolute URL of the store root (a trailing `/` is optional). */
  constructor(base: string, options: UrlStoreOptions = {}) {
    this.#base = base.endsWith('/') ? base : `${base}/`;
    // Bound: browsers refuse a `fetch` called as a method of another object ("Illegal invocation").
    const fetcher = options.fetch ?? (globalThis as { fetch?: FetchLike }).fetch?.bind(globalThis);
    if (!fetcher)
      throw new ConfigError('no fetch on this platform: pass options.fetch', [
        { path: 'fetch', message: 'missing' },
      ]);
    this.#fetch = fetcher;
    this.#headers = options.headers ?? {};
  }

  async get(key: string): Promise<{ bytes: Uint8Array; etag: string } | undefined> {
    const res = await this.#request(key, 'GET');
    if (!res) return undefined;
    const bytes = new Uint8Array(await res.arrayBuffer());
    return { bytes, etag: unquote(res.headers.get('etag')) };
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    const res = await this.#request(key, 'HEAD');
    if (!res) return undefined;
    return {
      key,
      etag: unquote(res.headers.get('etag')),
      size: Number(res.headers.get('content-length') ?? 0),
    };
  }

  put(key: string): Promise<string | undefined> {
    return Promise.reject(this.#readOnly('write', key));
  }

  delete(key: string): Promise<void> {
    return Promise.reject(this.#readOnly('delete', key));
  }

  list(prefix: string): Promise<string[]> {
    return Promise.reject(
      new CheckpointError(
        'CHECKPOINT_NOT_FOUND',
        `cannot list ${this.describe(prefix)} over HTTP: the checkpoint needs its manifest`,
        {
          location: this.describe(prefix),
        },
      ),
    );
  }

  /**
   * Model names under `prefix`, from the store's `_models.json` (the edge serves it at
   * `/checkpoints/_models.json`).
   * @throws CheckpointError CHECKPOINT_NOT_FOUND when there is no index; CHECKPOINT_CORRUPT when it is malformed.
   */
  async listModels(prefix: string): Promise<string[]> {
    const res = await this.#request(MODELS_INDEX, 'GET');
    if (!res) {
      throw new CheckpointError('CHECKPOINT_NOT_FOUND', `no model index at ${this.describe(MODELS_INDEX)}`, {
        location: this.describe(MODELS_INDEX),
      });
    }
    const bytes = new Uint8Array(await res.arrayBuffer());
    const { models } = decodeJson(ModelsIndexSchema, bytes, MODELS_INDEX, this.describe(MODELS_INDEX));
    return models.filter((name) => name.startsWith(prefix)).sort();
  }

  describe(key: string): string {
    return `${this.#base}${key}`;
  }

  async #request(key: string, method: 'GET' | 'HEAD') {
    assertSafeKey(key);
    const url = this.describe(key);
    let res: Awaited<ReturnType<FetchLike>>;
    try {
      res = await this.#fetch(url, { method, headers: this.#headers });
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new CheckpointError('CHECKPOINT_NOT_FOUND', `could not fetch ${url}: ${reason}`, { url }, cause);
    }
    if (res.status === 404) return undefined;
    if (!res.ok) {
      throw new CheckpointError('CHECKPOINT_NOT_FOUND', `${method} ${url} answered ${res.status}`, {
        url,
        status: res.status,
      });
    }
    return res;
  }

  #readOnly(what: string, key: string): ConfigError {
    return new ConfigError(`cannot ${what} ${this.describe(key)}: a URL store is read-only`, [
      { path: key, message: 'read-only store' },
    ]);
  }
}
