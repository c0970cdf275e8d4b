/**
 * The served model: loaded from the store on first use, swapped atomically on reload, refreshed when the
 * manifest's etag changes (checked at most every `pollSeconds`), released once its last request finishes.
 */

import { loadCheckpoint } from '../runtime/checkpoint/checkpoint.js';
import { manifestKey } from '../runtime/checkpoint/keys.js';
import type { CheckpointStore } from '../runtime/checkpoint/store.js';
import {
  type CheckpointReference,
  decodeReference,
  REFERENCE_FILE,
} from '../runtime/drift/checkpoint-reference.js';
import { CheckpointError } from '../runtime/errors.js';
import { decodePipelineFile, PIPELINE_FILE } from '../runtime/forecaster-files.js';
import type { PipelineConfig } from '../runtime/schemas/pipeline-config.js';
import { type AdaptiveServing, adaptiveServing } from '../runtime/serving/adaptive-intervals.js';
import { type ModelInfo, modelInfo } from '../runtime/serving/model-info.js';
import type { Predictor, PredictorFactory } from './predictor.js';

/** A loaded checkpoint version and everything the routes need from it. */
export interface ActiveModel {
  readonly info: ModelInfo;
  /** The fitted pipeline's config: what request data must look like. */
  readonly config: PipelineConfig;
  readonly predictor: Predictor;
  /** reference.json: validation metrics and drift sample (absent in checkpoints saved without it). */
  readonly reference: CheckpointReference | undefined;
  /** Etag of the manifest this version was loaded from (undefined when loaded by fallback). */
  readonly etag: string | undefined;
  /** ISO 8601. */
  readonly loadedAt: string;
  /** Set when the checkpoint had no manifest and its newest complete version was loaded. */
  readonly fallback: string | undefined;
  /** Bytes of the version's files: what the registry counts against its memory budget. */
  readonly bytes: number;
  /** Set when pipeline.json asks for adaptive intervals (`intervals.adaptive`) and has conformal tables. */
  readonly adaptive: AdaptiveServing | undefined;
}

/** Store, checkpoint name, predictor factory, poll interval and clock of a `ModelHost`. */
export interface ModelHostOptions {
  store: CheckpointStore;
  /** Checkpoint name in the store. */
  name: string;
  predictors: PredictorFactory;
  /** Minimum seconds between manifest etag checks; 0 checks on every request. */
  pollSeconds: number;
  /** Clock in epoch ms, for tests. @default Date.now */
  now?: () => number;
  /** Where background failures (a refresh that could not load) are reported. @default console.warn */
  warn?: (message: string) => void;
}

interface Entry {
  model: ActiveModel;
  inFlight: number;
  retired: boolean;
}

/** Holds the served model: loads on first use (single-flight), swaps on reload, follows promotions by polling the etag. */
export class ModelHost {
  readonly #o: ModelHostOptions;
  readonly #now: () => number;
  #entry: Entry | undefined;
  #loading: Promise<ActiveModel> | undefined;
  #lastCheck = Number.NEGATIVE_INFINITY;
  /** The last failed load (since the last success) and when: `lastError`, and no re-read of an empty store per request. */
  #failure: { error: unknown; at: number } | undefined;

  constructor(options: ModelHostOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
  }

  /** The model serving now, if any. */
  get active(): ActiveModel | undefined {
    return this.#entry?.model;
  }

  /** The last load or refresh failure since the last success. */
  get lastError(): string | undefined {
    const error = this.#failure?.error;
    if (error === undefined) return undefined;
    return error instanceof Error ? error.message : String(error);
  }

  get name(): string {
    return this.#o.name;
  }

  /**
   * The active model, loading it first when there is none (concurrent callers share one load). While nothing
   * is loaded, a failed load is retried at most every `pollSeconds`; in between, its error is rethrown.
   */
  async ensure(): Promise<ActiveModel> {
    if (this.#entry) return this.#entry.model;
    if (this.#loading) return this.#loading;
    const failure = this.#failure;
    if (failure && this.#now() - failure.at < this.#o.pollSeconds * 1000) throw failure.error;
    return this.reload();
  }

  /**
   * Reads the manifest, verifies every file's hash, builds the new predictor and only then swaps it in;
   * requests already running finish on the old one. On any failure the old model keeps serving.
   * A reload asked for while one runs starts after it, so it always reads the manifest afresh.
   */
  reload(): Promise<ActiveModel> {
    const previous = this.#loading ?? Promise.resolve();
    const next = previous.then(
      () => this.#load(),
      () => this.#load(),
    );
    this.#loading = next;
    const clear = () => {
      if (this.#loading === next) this.#loading = undefined;
    };
    next.then(clear, clear);
    return next;
  }

  /**
   * Runs `fn` on the active model, keeping that model alive until `fn` settles even if a reload swaps it out.
   */
  async use<T>(fn: (model: ActiveModel) => Promise<T>): Promise<T> {
    let entry = this.#entry;
    // Loop: an unload may land between the load finishing and this request taking the model.
    while (!entry) {
      await this.ensure();
      entry = this.#entry;
    }
    entry.inFlight++;
    try {
      return await fn(entry.model);
    } finally {
      entry.inFlight--;
      if (entry.retired && entry.inFlight === 0) await this.#release(entry);
    }
  }

  /**
   * Drops the active model (the registry evicting it): its predictor is released once the requests using it
   * finish; the next `ensure` or `use` loads it again. A no-op when nothing is loaded.
   */
  async unload(): Promise<void> {
    const entry = this.#entry;
    if (!entry) return;
    this.#entry = undefined;
    this.#lastCheck = Number.NEGATIVE_INFINITY;
    entry.retired = true;
    if (entry.inFlight === 0) await this.#release(entry);
  }

  /**
   * When `pollSeconds` have passed since the last check, compares the manifest's etag with the served one
   * and reloads if it changed. Never rejects: a failure is kept in `lastError` and the old model serves on.
   * A promotion therefore reaches every server within `pollSeconds` plus one load, counted from the first
   * request after the promotion that finds the interval elapsed.
   */
  async refreshIfDue(): Promise<void> {
    const now = this.#now();
    if (now - this.#lastCheck < this.#o.pollSeconds * 1000 || this.#loading) return;
    this.#lastCheck = now;
    try {
      const head = await this.#o.store.head(manifestKey(this.#o.name));
      const served = this.#entry?.model.etag;
      if (head && head.etag !== served) await this.reload();
    } catch (error) {
      this.#o.warn?.(
        `twiga-edge: refresh of "${this.#o.name}" failed, still serving the old model: ${String(error)}`,
      );
    }
  }

  async #load(): Promise<ActiveModel> {
    const { store, name, predictors } = this.#o;
    try {
      const loaded = await loadCheckpoint(store, name);
      const pipeline = loaded.files[PIPELINE_FILE];
      if (!pipeline) {
        throw new CheckpointError(
          'CHECKPOINT_CORRUPT',
          `checkpoint "${name}" v${loaded.version} has no ${PIPELINE_FILE}`,
          {
            name,
            version: loaded.version,
          },
        );
      }
      const decoded = decodePipelineFile(pipeline);
      const refBytes = loaded.files[REFERENCE_FILE];
      const reference = refBytes
        ? decodeReference(refBytes, store.describe(`${name}/${REFERENCE_FILE}`))
        : undefined;
      const predictor = await predictors.create(loaded.files, loaded.version, decoded);
      const info = modelInfo(decoded, loaded.version, predictor.engines);
      const model: ActiveModel = {
        info,
        config: decoded.pipeline.config,
        predictor,
        reference,
        etag: loaded.etag,
        loadedAt: new Date(this.#now()).toISOString(),
        fallback: loaded.fallback,
        bytes: Object.values(loaded.files).reduce((sum, f) => sum + f.byteLength, 0),
        adaptive: adaptiveServing(decoded),
      };
      const old = this.#entry;
      this.#entry = { model, inFlight: 0, retired: false };
      this.#lastCheck = this.#now();
      this.#failure = undefined;
      if (old) {
        old.retired = true;
        if (old.inFlight === 0) await this.#release(old);
      }
      return model;
    } catch (error) {
      this.#failure = { error, at: this.#now() };
      throw error;
    }
  }

  async #release(entry: Entry): Promise<void> {
    try {
      await entry.model.predictor.release();
    } catch (error) {
      this.#o.warn?.(`twiga-edge: releasing v${entry.model.info.version} failed: ${String(error)}`);
    }
  }
}
