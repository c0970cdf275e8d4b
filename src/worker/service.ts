/**
 * The forecast worker's implementation, free of Worker globals so it also runs (and is tested) in Node:
 * the platform gives it an inference engine, the drift core and `fetch`.
 */

import { loadCheckpoint } from '../runtime/checkpoint/checkpoint.js';
import { type FetchLike, UrlCheckpointStore } from '../runtime/checkpoint/url-store.js';
import {
  type CheckpointReference,
  decodeReference,
  REFERENCE_FILE,
  requireDriftReference,
} from '../runtime/drift/checkpoint-reference.js';
import { jsKernel } from '../runtime/drift/kernel.js';
import { ForecastMonitor } from '../runtime/drift/monitor.js';
import { driftKernel } from '../runtime/drift/wasm.js';
import type { EngineChoice, InferenceEngine } from '../runtime/engine/contract.js';
import { ConfigError } from '../runtime/errors.js';
import { originsFrom } from '../runtime/features/windows.js';
import { forecastLatest } from '../runtime/forecast-json.js';
import { Forecaster } from '../runtime/forecaster.js';
import type { Frame } from '../runtime/frame.js';
import { type ColumnsInput, frameFromColumns, frameFromRecords } from '../runtime/input/frame-input.js';
import type { EnsembleStrategy } from '../runtime/schemas/forecaster-config.js';
import { toReply } from '../runtime/serving/error-wire.js';
import { type ModelInfo, modelInfo } from '../runtime/serving/model-info.js';
import type {
  CheckpointSource,
  ForecastInput,
  ForecastWorkerApi,
  LoadOptions,
  ModelChoice,
  ModelListSource,
  Reply,
  WindowsForecast,
  WorkerHealth,
} from './api.js';

/** What the host platform provides. */
export interface ServiceCapabilities {
  /** The inference engine for a choice, created on first use (so WASM loads only when a model needs it). */
  engine: (choice: EngineChoice) => Promise<InferenceEngine>;
  /** Instantiates the drift WASM core (installs it for every statistic). */
  initDrift: () => Promise<unknown>;
  fetch?: FetchLike;
}

interface Loaded {
  forecaster: Forecaster;
  info: ModelInfo;
  reference: CheckpointReference | undefined;
  source: string;
  /** Built on the first drift request: the reference sample is parsed once per loaded model. */
  monitor?: ForecastMonitor;
}

/** Arrow IPC decoded to columns; apache-arrow is imported on the first Arrow request (most pages never send one). */
async function arrowColumns(bytes: Uint8Array): Promise<ColumnsInput> {
  const { columnsFromArrowIpc } = await import('../runtime/input/arrow.js');
  return columnsFromArrowIpc(bytes);
}

/** Request data as columns (Arrow IPC decoded), for the drift monitor. */
async function toColumns(
  input: ForecastInput,
): Promise<ColumnsInput | readonly Readonly<Record<string, unknown>>[]> {
  if ('records' in input) return input.records;
  if ('arrow' in input) return arrowColumns(input.arrow);
  return input.columns;
}

/** The worker side of `createForecastWorker()`: each method answers a value or a typed error as data. */
export class ForecastService implements ForecastWorkerApi {
  readonly #caps: ServiceCapabilities;
  /** Loaded models by name; `#current` answers when a request names none. */
  readonly #models = new Map<string, Loaded>();
  #current: string | undefined;
  #drift: Promise<unknown> | undefined;

  constructor(capabilities: ServiceCapabilities) {
    this.#caps = capabilities;
  }

  load(source: CheckpointSource, options: LoadOptions = {}): Promise<Reply<ModelInfo>> {
    return toReply(async () => {
      const engine = await this.#caps.engine(options.engine ?? 'auto');
      let files: Record<string, Uint8Array>;
      let version: number;
      let where: string;
      if ('url' in source) {
        const store = this.#store(source);
        const loaded = await loadCheckpoint(store, source.name);
        files = loaded.files;
        version = loaded.version;
        where = store.describe(source.name);
      } else {
        files = source.files;
        version = source.version ?? 1;
        where = 'files';
      }
      const forecaster = await Forecaster.fromFiles(files, engine);
      const refBytes = files[REFERENCE_FILE];
      const name = options.as ?? ('url' in source ? source.name : 'files');
      const previous = this.#models.get(name);
      const loaded: Loaded = {
        forecaster,
        info: modelInfo(forecaster.manifest, version, forecaster.engines),
        reference: refBytes ? decodeReference(refBytes) : undefined,
        source: where,
      };
      this.#models.set(name, loaded);
      this.#current = name;
      await previous?.forecaster.release();
      return loaded.info;
    });
  }

  listModels(source: ModelListSource): Promise<Reply<string[]>> {
    return toReply(() => this.#store(source).listModels(source.prefix ?? ''));
  }

  unload(name: string): Promise<Reply<boolean>> {
    return toReply(async () => {
      const loaded = this.#models.get(name);
      if (!loaded) return false;
      this.#models.delete(name);
      if (this.#current === name) this.#current = [...this.#models.keys()].at(-1);
      await loaded.forecaster.release();
      return true;
    });
  }

  predict(input: ForecastInput, options: { ensemble?: EnsembleStrategy } & ModelChoice = {}) {
    return toReply(async () => {
      const { model, ...rest } = options;
      const loaded = this.#require(model);
      return forecastLatest(loaded.forecaster, await this.#frame(loaded, input), loaded.info.version, rest);
    });
  }

  predictInterval(
    input: ForecastInput,
    options: { ensemble?: EnsembleStrategy; levels?: number[] } & ModelChoice = {},
  ) {
    return toReply(async () => {
      const { levels = [0.9], model, ...rest } = options;
      const loaded = this.#require(model);
      const frame = await this.#frame(loaded, input);
      return forecastLatest(loaded.forecaster, frame, loaded.info.version, { ...rest, levels });
    });
  }

  predictWindows(
    input: ForecastInput,
    options: { ensemble?: EnsembleStrategy; start?: number; stride?: number } & ModelChoice = {},
  ) {
    return toReply(async (): Promise<WindowsForecast> => {
      const loaded = this.#require(options.model);
      const { forecaster } = loaded;
      const frame = await this.#frame(loaded, input, false);
      const { lookback, horizon, stride } = forecaster.pipeline.config;
      const origins = originsFrom(frame.time.length, options.start ?? lookback, {
        lookback,
        horizon,
        stride: options.stride ?? stride,
      });
      const batch = await forecaster.predictOrigins(frame, origins, options.ensemble);
      return {
        targets: batch.targets,
        horizon: batch.horizon,
        originTimes: Float64Array.from(batch.originTimes),
        periodMs: batch.periodMs,
        predictions: batch.predictions,
      };
    });
  }

  detectDrift(input: ForecastInput, options: { columns?: string[] } & ModelChoice = {}) {
    return toReply(async () => {
      const loaded = this.#require(options.model);
      loaded.monitor ??= new ForecastMonitor().setReference(
        requireDriftReference(loaded.reference, loaded.info.version),
      );
      this.#drift ??= this.#caps.initDrift();
      await this.#drift;
      const monitor = loaded.monitor;
      const [, summary] = await monitor.runDataDrift(await toColumns(input), options.columns);
      return summary;
    });
  }

  health() {
    return toReply((): WorkerHealth => {
      const current = this.#current === undefined ? undefined : this.#models.get(this.#current);
      return {
        loaded: current !== undefined,
        model: current?.info ?? null,
        models: [...this.#models.keys()],
        source: current?.source ?? null,
        driftKernel: driftKernel() === jsKernel ? 'js' : 'wasm',
      };
    });
  }

  #store(source: { url: string; apiKey?: string }): UrlCheckpointStore {
    const headers: Record<string, string> = source.apiKey ? { 'x-api-key': source.apiKey } : {};
    return new UrlCheckpointStore(source.url, {
      headers,
      ...(this.#caps.fetch ? { fetch: this.#caps.fetch } : {}),
    });
  }

  #require(model?: string): Loaded {
    const name = model ?? this.#current;
    const loaded = name === undefined ? undefined : this.#models.get(name);
    if (!loaded) {
      const message =
        model === undefined
          ? 'no checkpoint loaded: call load() first'
          : `no model "${model}" loaded (loaded: ${[...this.#models.keys()].join(', ') || 'none'})`;
      throw new ConfigError(message, [
        { path: model === undefined ? 'checkpoint' : 'model', message: 'not loaded' },
      ]);
    }
    return loaded;
  }

  /** The frame a request describes; `latestWindow` also checks it can forecast its last window. */
  async #frame(loaded: Loaded, input: ForecastInput, latestWindow = true): Promise<Frame> {
    const config = loaded.forecaster.pipeline.config;
    if ('records' in input) return frameFromRecords(input.records, config, { latestWindow });
    const columns = 'arrow' in input ? await arrowColumns(input.arrow) : input.columns;
    return frameFromColumns(columns, config, 'columns', { latestWindow });
  }
}
