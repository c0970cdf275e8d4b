/** What the forecast Web Worker offers (through comlink), and the shapes that cross the boundary. */

import type { DriftSummary } from '../runtime/drift/summary.js';
import type { EngineChoice } from '../runtime/engine/contract.js';
import type { ForecastJson } from '../runtime/forecast-json.js';
import type { EnsembleStrategy } from '../runtime/schemas/forecaster-config.js';
import type { Reply } from '../runtime/serving/error-wire.js';
import type { ModelInfo } from '../runtime/serving/model-info.js';

/** Where a checkpoint comes from. */
export type CheckpointSource =
  /**
   * A base URL serving the checkpoint's store keys: `<base>/<name>/_checkpoint_manifest.json`,
   * `<base>/<name>/v0001/pipeline.json`, … — the edge's `/checkpoints` route, or static files.
   */
  | { url: string; name: string; apiKey?: string }
  /** The files of one version, e.g. `{ 'pipeline.json': …, 'linear.onnx': … }` (read from a file input). */
  | { files: Record<string, Uint8Array>; version?: number };

/** How a checkpoint is loaded. */
export interface LoadOptions {
  /**
   * `auto` (default): the lean engine when it runs every node of a model, else onnxruntime-web, whose WASM is
   * then fetched; `ort` or `lean` to force one.
   */
  engine?: EngineChoice;
  /** The name the model is kept under. @default `source.name` for a URL, `files` for files */
  as?: string;
}

/** Request data: records (JSON-like rows), columns (typed arrays move, not copy), or Arrow IPC bytes. */
export type ForecastInput =
  | { records: ReadonlyArray<Readonly<Record<string, unknown>>> }
  | { columns: Record<string, ArrayLike<unknown>> }
  | { arrow: Uint8Array };

/** Which loaded model answers: its name as loaded (`source.name`, or `as`). @default the last one loaded */
export interface ModelChoice {
  model?: string;
}

/** Ensemble strategy of a worker forecast. */
export interface PredictOptions extends ModelChoice {
  ensemble?: EnsembleStrategy;
}

/** Where to list models from: a base URL serving `_models.json` (the edge's `/checkpoints` route). */
export interface ModelListSource {
  url: string;
  apiKey?: string;
  /** Only names starting with this, e.g. `feeders/`. */
  prefix?: string;
}

/** Ensemble strategy and interval levels of a worker forecast. */
export interface IntervalOptions extends PredictOptions {
  /** Central levels, e.g. `[0.8, 0.9]`. @default [0.9] */
  levels?: number[];
}

/** Many windows at once (a backtest-like view): every `stride` rows from `start`. */
export interface WindowsOptions extends PredictOptions {
  /** Row of the first forecast step of the first window. @default lookback */
  start?: number;
  /** Rows between window origins. @default the pipeline's stride */
  stride?: number;
}

/** Forecasts of many windows, laid out [window, step, target] per model (and `ensemble`). */
export interface WindowsForecast {
  targets: string[];
  horizon: number;
  /** Epoch ms of each window's first step. */
  originTimes: Float64Array;
  periodMs: number;
  predictions: Record<string, Float64Array>;
}

/** Whether the worker has a model, which one, where it came from and which drift kernel runs. */
export interface WorkerHealth {
  loaded: boolean;
  /** The default model (the last one loaded). */
  model: ModelInfo | null;
  /** Names of every loaded model. */
  models: string[];
  /** Where the model came from: the URL, or `files`. */
  source: string | null;
  /** Which drift kernel runs: `wasm` once the drift core is loaded. */
  driftKernel: 'wasm' | 'js';
}

export type { Reply };

/** The worker side, as comlink exposes it: every reply carries a value or a typed error as data. */
export interface ForecastWorkerApi {
  load(source: CheckpointSource, options?: LoadOptions): Promise<Reply<ModelInfo>>;
  listModels(source: ModelListSource): Promise<Reply<string[]>>;
  unload(name: string): Promise<Reply<boolean>>;
  predict(input: ForecastInput, options?: PredictOptions): Promise<Reply<ForecastJson>>;
  predictInterval(input: ForecastInput, options?: IntervalOptions): Promise<Reply<ForecastJson>>;
  predictWindows(input: ForecastInput, options?: WindowsOptions): Promise<Reply<WindowsForecast>>;
  detectDrift(
    input: ForecastInput,
    options?: { columns?: string[] } & ModelChoice,
  ): Promise<Reply<DriftSummary>>;
  health(): Promise<Reply<WorkerHealth>>;
}

/** The client side: the same methods, resolving to values and rejecting with the runtime's typed errors. */
export interface ForecastWorkerClient {
  /** Loads a model and keeps it beside those already loaded (replacing one of the same name); it becomes the default. */
  load(source: CheckpointSource, options?: LoadOptions): Promise<ModelInfo>;
  /** Names of the models a URL store serves (its `_models.json`). */
  listModels(source: ModelListSource): Promise<string[]>;
  /** Releases a loaded model; `false` when none had that name. */
  unload(name: string): Promise<boolean>;
  predict(input: ForecastInput, options?: PredictOptions): Promise<ForecastJson>;
  predictInterval(input: ForecastInput, options?: IntervalOptions): Promise<ForecastJson>;
  predictWindows(input: ForecastInput, options?: WindowsOptions): Promise<WindowsForecast>;
  detectDrift(input: ForecastInput, options?: { columns?: string[] } & ModelChoice): Promise<DriftSummary>;
  health(): Promise<WorkerHealth>;
  /** Stops the worker. */
  terminate(): void;
}
