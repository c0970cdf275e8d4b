/** A worker thread serving forecasts: the runtime's Forecaster (engine per TWIGA_INFERENCE_ENGINE), exposed with comlink. */
import { parentPort } from 'node:worker_threads';
import { expose } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { forecastPanel } from '../../runtime/fleet/panel-forecast.js';
import { forecastLatest } from '../../runtime/forecast-json.js';
import { Forecaster } from '../../runtime/forecaster.js';
import { toReply } from '../../runtime/serving/error-wire.js';
import { createNodeEngine } from '../engine.js';
import type { ForecastThreadApi } from './thread-api.js';

const engine = createNodeEngine();
/**
 * Generations by id, set as soon as a load starts: messages are handled in arrival order, so a forecast
 * sent after a load (e.g. to a freshly replaced thread) waits for it instead of missing it.
 */
const generations = new Map<number, Promise<{ forecaster: Forecaster; version: number }>>();

function generation(id: number): Promise<{ forecaster: Forecaster; version: number }> {
  const loading = generations.get(id);
  if (!loading) throw new Error(`forecast thread: generation ${id} is not loaded`);
  return loading;
}

const api: ForecastThreadApi = {
  load: (id, files, version) =>
    toReply(async () => {
      const loading = Forecaster.fromFiles(files, engine).then((forecaster) => ({ forecaster, version }));
      generations.set(id, loading);
      loading.catch(() => generations.delete(id));
      const { forecaster } = await loading;
      return forecaster.engines;
    }),
  forecast: (id, frame, options) =>
    toReply(async () => {
      const { forecaster, version } = await generation(id);
      return forecastLatest(forecaster, frame, version, options);
    }),
  forecastSeries: (id, frames, options) =>
    toReply(async () => {
      const { forecaster, version } = await generation(id);
      return forecastPanel(forecaster, frames, version, options);
    }),
  release: (id) =>
    toReply(async () => {
      const loading = generations.get(id);
      generations.delete(id);
      const generation = await loading?.catch(() => undefined);
      await generation?.forecaster.release();
      return null;
    }),
};

if (!parentPort) throw new Error('forecast-thread must run in a worker thread');
expose(api, nodeEndpoint(parentPort));
