/**
 * The models a server answers for, by name: one ModelHost per model, loaded on first use (single-flight per
 * host), unloaded least-recently-used first once the loaded models pass a byte budget. Each loaded host
 * keeps its own etag poll, so promotions reach every model independently.
 */
import { assertModelName, listModels } from '../runtime/checkpoint/models.js';
import type { CheckpointStore } from '../runtime/checkpoint/store.js';
import { CheckpointError, ConfigError } from '../runtime/errors.js';
import { ApiError } from './http-errors.js';
import { type ActiveModel, ModelHost } from './model-host.js';
import type { PredictorFactory } from './predictor.js';

/**
 * What a loaded model is counted as beyond its files' bytes: its inference session (ORT's WASM memory grows
 * by about 2 MB per session), the decoded pipeline and drift reference. From `npm run bench -- fleet-serve`
 * (memory per loaded model: ≈ 2.3 MB of RSS for a 91 KiB linear checkpoint).
 */
export const MODEL_OVERHEAD_BYTES = 2 * 1024 * 1024;

export interface ModelRegistryOptions {
  store: CheckpointStore;
  predictors: PredictorFactory;
  /** The model the unprefixed routes serve (`TWIGA_SERVE_CHECKPOINT`); never evicted. */
  defaultName: string;
  /** `true`: every model in the store is served by name; `false`: only the default one. */
  fleet: boolean;
  pollSeconds: number;
  /** Budget of the loaded models (`TWIGA_SERVE_MAX_LOADED_MB`). */
  maxLoadedBytes: number;
  /** @default MODEL_OVERHEAD_BYTES */
  overheadBytes?: number;
  /** Clock in epoch ms. @default Date.now */
  now?: () => number;
  warn?: (message: string) => void;
}

/** A model as the routes use it: its name, its host, and `use` that keeps the registry's books. */
export interface ServedModel {
  readonly name: string;
  readonly host: ModelHost;
  /** Runs `fn` on the loaded model (loading it first), then evicts past the budget. */
  use<T>(fn: (model: ActiveModel) => Promise<T>): Promise<T>;
}

/** One row of `GET /models`. */
export interface ListedModel {
  name: string;
  loaded: boolean;
  /** The loaded version, when loaded. */
  loaded_version: number | null;
  default: boolean;
}

export class ModelRegistry {
  readonly #o: ModelRegistryOptions;
  readonly #now: () => number;
  /** Map order is recency order: a use moves its host to the end; eviction takes from the front. */
  readonly #hosts = new Map<string, ModelHost>();
  readonly #default: ModelHost;
  #names: { at: number; names: Promise<string[]> } | undefined;

  constructor(options: ModelRegistryOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#default = this.#newHost(options.defaultName);
    this.#hosts.set(options.defaultName, this.#default);
  }

  /** The default model's host (the unprefixed routes). */
  get defaultHost(): ModelHost {
    return this.#default;
  }

  get fleet(): boolean {
    return this.#o.fleet;
  }

  /** Names with a loaded model, least recently used first. */
  get loaded(): string[] {
    return [...this.#hosts].filter(([, h]) => h.active).map(([n]) => n);
  }

  /** Bytes counted against the budget now. */
  get loadedBytes(): number {
    let sum = 0;
    for (const host of this.#hosts.values()) sum += this.#cost(host);
    return sum;
  }

  /** The default model, not loaded by this call (its routes report a missing model themselves). */
  defaultModel(): ServedModel {
    return this.#served(this.#o.defaultName, this.#default);
  }

  /**
   * The model `name`, loaded. A load that fails for another reason than "not there" keeps the host (its
   * routes answer with the error, `/health` reports it) so one corrupt model fails alone.
   * @throws ApiError 400 for an invalid name; 404 naming it when there is no such model here.
   */
  async model(name: string): Promise<ServedModel> {
    const host = this.#hostFor(name);
    try {
      await host.ensure();
    } catch (error) {
      if (error instanceof CheckpointError && error.code === 'CHECKPOINT_NOT_FOUND') {
        if (host !== this.#default) this.#hosts.delete(name);
        throw notFound(name, error.message);
      }
    }
    return this.#served(name, host);
  }

  /** Whether `name` may be served here (valid and, outside fleet mode, the default); does not read the store. */
  serves(name: string): boolean {
    try {
      this.#check(name);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Checks that `name` may be served here without reading the store.
   * @throws ApiError 400 naming the field for an invalid name; 404 outside fleet mode for another model
   */
  checkName(name: string): void {
    this.#check(name);
  }

  /** Every model name served here (fleet: the store's listing, cached for `pollSeconds`). */
  async names(): Promise<string[]> {
    if (!this.#o.fleet) return [this.#o.defaultName];
    const now = this.#now();
    const ttl = Math.max(this.#o.pollSeconds, 1) * 1000;
    if (!this.#names || now - this.#names.at >= ttl) {
      const names = listModels(this.#o.store);
      this.#names = { at: now, names };
      names.catch(() => {
        if (this.#names?.names === names) this.#names = undefined;
      });
    }
    return this.#names.names;
  }

  /** How `name` appears in `GET /models`. */
  describe(name: string): ListedModel {
    const active = this.#hosts.get(name)?.active;
    return {
      name,
      loaded: active !== undefined,
      loaded_version: active?.info.version ?? null,
      default: name === this.#o.defaultName,
    };
  }

  /** Unloads every model (shutdown). */
  async close(): Promise<void> {
    await Promise.all([...this.#hosts.values()].map((h) => h.unload()));
  }

  #served(name: string, host: ModelHost): ServedModel {
    return { name, host, use: (fn) => this.#use(name, host, fn) };
  }

  async #use<T>(name: string, host: ModelHost, fn: (model: ActiveModel) => Promise<T>): Promise<T> {
    try {
      return await host.use(async (model) => {
        this.#touch(name, host);
        await this.#evict(host);
        return fn(model);
      });
    } finally {
      // Evicted while this request was loading it: nothing else holds the host, so let it go again.
      if (this.#hosts.get(name) !== host) await host.unload();
    }
  }

  #check(name: string): void {
    try {
      assertModelName(name);
    } catch (error) {
      if (error instanceof ConfigError)
        throw new ApiError(400, 'VALIDATION_ERROR', error.message, error.issues);
      throw error;
    }
    if (!this.#o.fleet && name !== this.#o.defaultName) {
      throw notFound(name, `this server serves only "${this.#o.defaultName}"`);
    }
  }

  #hostFor(name: string): ModelHost {
    const known = this.#hosts.get(name);
    if (known) return known;
    this.#check(name);
    const host = this.#newHost(name);
    this.#hosts.set(name, host);
    return host;
  }

  #touch(name: string, host: ModelHost): void {
    if (this.#hosts.get(name) !== host) return;
    this.#hosts.delete(name);
    this.#hosts.set(name, host);
  }

  /** Unloads least-recently-used models (never `keep` nor the default) until the loaded ones fit the budget. */
  async #evict(keep: ModelHost): Promise<void> {
    let total = this.loadedBytes;
    const victims: ModelHost[] = [];
    for (const [name, host] of this.#hosts) {
      if (total <= this.#o.maxLoadedBytes) break;
      if (host === keep || host === this.#default || !host.active) continue;
      total -= this.#cost(host);
      this.#hosts.delete(name);
      victims.push(host);
    }
    await Promise.all(victims.map((h) => h.unload()));
  }

  #cost(host: ModelHost): number {
    const active = host.active;
    return active ? active.bytes + (this.#o.overheadBytes ?? MODEL_OVERHEAD_BYTES) : 0;
  }

  #newHost(name: string): ModelHost {
    const { store, predictors, pollSeconds, warn } = this.#o;
    return new ModelHost({
      store,
      name,
      predictors,
      pollSeconds,
      now: this.#now,
      ...(warn ? { warn } : {}),
    });
  }
}

function notFound(name: string, detail: string): ApiError {
  return new ApiError(404, 'MODEL_NOT_FOUND', `no model "${name}" here: ${detail}`, [
    { path: 'name', message: `no model "${name}"` },
  ]);
}
