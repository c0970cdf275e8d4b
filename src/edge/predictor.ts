/**
 * Where inference runs, as a contract the app is given: in the isolate (Workers, tests) or in a pool
 * of worker threads (`twiga-edge serve` on Node, see src/node/pool).
 */

import type { EngineName } from '../runtime/engine/contract.js';
import { forecastPanel, type PanelForecastJson, type SeriesFrame } from '../runtime/fleet/panel-forecast.js';
import { type ForecastJson, type ForecastOptions, forecastLatest } from '../runtime/forecast-json.js';
import { Forecaster } from '../runtime/forecaster.js';
import type { ForecasterManifest } from '../runtime/forecaster-files.js';
import type { Frame } from '../runtime/frame.js';
import type { OnnxEngine } from '../runtime/onnx/engine.js';

/** One loaded checkpoint version, ready to forecast. */
export interface Predictor {
  /** The window after `frame`'s last known target value, as JSON (with intervals when `levels` is set). */
  forecast(frame: Frame, options: ForecastOptions): Promise<ForecastJson>;
  /** A global model's forecasts for each series of a request, grouped by series id. */
  forecastSeries(frames: SeriesFrame[], options: ForecastOptions): Promise<PanelForecastJson>;
  /** Frees its inference sessions; called once no request uses it any more. */
  release(): Promise<void>;
  /** The engine running each model, by label. */
  readonly engines: Readonly<Record<string, EngineName>>;
}

/** Builds predictors from a checkpoint version's verified files. */
export interface PredictorFactory {
  /**
   * @param manifest pipeline.json as the caller decoded it; a factory in this realm reuses it, one that
   *   sends the files to another thread lets that thread decode its own copy.
   */
  create(
    files: Readonly<Record<string, Uint8Array>>,
    version: number,
    manifest?: ForecasterManifest,
  ): Promise<Predictor>;
}

/** Inference in this JS realm through `engine` — what a Worker isolate does. */
export function inProcessPredictors(engine: OnnxEngine): PredictorFactory {
  return {
    async create(files, version, manifest) {
      const forecaster = await Forecaster.fromFiles(files, engine, manifest);
      return {
        forecast: (frame, options) => forecastLatest(forecaster, frame, version, options),
        forecastSeries: (frames, options) => forecastPanel(forecaster, frames, version, options),
        release: () => forecaster.release(),
        engines: forecaster.engines,
      };
    },
  };
}
