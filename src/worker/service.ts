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
import { toReply } from '../runtime/serving/error-wire.js';
import { type ModelInfo, modelInfo } from '../runtime/serving/model-info.js';
import type {
  CheckpointSource,
  ForecastInput,
  ForecastWorkerApi,
  LoadOptions,
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
  #loaded: Loaded | undefined;
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
        const headers: Record<string, string> = source.apiKey ? { 'x-api-key': source.apiKey } : {};
        const store = new UrlCheckpointStore(source.url, {
          headers,
          ...(this.#caps.fetch ? { fetch: this.#caps.fetch } : {}),
        });
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
      const previous = this.#loaded;
      this.#loaded = {
        forecaster,
        info: modelInfo(forecaster.manifest, version, forecaster.engines),
        reference: refBytes ? decodeReference(refBytes) : undefined,
        source: where,
      };
      await previous?.forecaster.release();
      return this.#loaded.info;
    });
  }

  predict(input: ForecastInput, options: { ensemble?: 'mean' | 'median' } = {}) {
    return toReply(async () => {
      const { forecaster, info } = this.#require();
      return forecastLatest(forecaster, await this.#frame(input), info.version, options);
    });
  }

  predictInterval(input: ForecastInput, options: { ensemble?: 'mean' | 'median'; levels?: number[] } = {}) {
    return toReply(async () => {
      const { forecaster, info } = this.#require();
      const { levels = [0.9], ...rest } = options;
      return forecastLatest(forecaster, await this.#frame(input), info.version, { ...rest, levels });
    });
  }

  predictWindows(
    input: ForecastInput,
    options: { ensemble?: 'mean' | 'median'; start?: number; stride?: number } = {},
  ) {
    return toReply(async (): Promise<WindowsForecast> => {
      const { forecaster } = this.#require();
      const frame = await this.#frame(input, false);
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

  detectDrift(input: ForecastInput, options: { columns?: string[] } = {}) {
    return toReply(async () => {
      const loaded = this.#require();
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
    return toReply(
      (): WorkerHealth => ({
        loaded: this.#loaded !== undefined,
        model: this.#loaded?.info ?? null,
        source: this.#loaded?.source ?? null,
        driftKernel: driftKernel() === jsKernel ? 'js' : 'wasm',
      }),
    );
  }

  #require(): Loaded {
    if (!this.#loaded) {
      throw new ConfigError('no checkpoint loaded: call load() first', [
        { path: 'checkpoint', message: 'not loaded' },
      ]);
    }
    return this.#loaded;
  }

  /** The frame a request describes; `latestWindow` also checks it can forecast its last window. */
  async #frame(input: ForecastInput, latestWindow = true): Promise<Frame> {
    const config = this.#require().forecaster.pipeline.config;
    if ('records' in input) return frameFromRecords(input.records, config, { latestWindow });
    const columns = 'arrow' in input ? await arrowColumns(input.arrow) : input.columns;
    return frameFromColumns(columns, config, 'columns', { latestWindow });
  }
}
