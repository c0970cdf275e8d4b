/** createForecastWorker: the typed page-side client of the forecast Web Worker. */
import { type Remote, releaseProxy, transfer, wrap } from 'comlink';
import { fromReply } from '../runtime/serving/error-wire.js';
import type { ForecastInput, ForecastWorkerApi, ForecastWorkerClient, Reply } from './api.js';

/** The slice of a DOM `Worker` used here (mirrored: this package's core compiles without DOM types). */
export interface WorkerLike {
  postMessage(message: unknown, transfer?: unknown[]): void;
  addEventListener(type: string, listener: (event: never) => void): void;
  removeEventListener(type: string, listener: (event: never) => void): void;
  terminate(): void;
}

declare const Worker: new (url: URL, options: { type: 'module'; name?: string }) => WorkerLike;

/** A worker your bundler already started, instead of the default one. */
export interface ForecastWorkerOptions {
  /** A worker already running `forecast.worker` (e.g. built by your bundler); default: start one. */
  worker?: WorkerLike;
}

const unwrap = async <T>(pending: Promise<Reply<T>>): Promise<T> => fromReply(await pending);

/** Typed arrays and Arrow bytes move to the worker (the caller's copies become empty). */
function moved(input: ForecastInput): ForecastInput {
  if ('arrow' in input) return transfer(input, [input.arrow.buffer as ArrayBuffer]);
  if ('columns' in input) {
    const buffers = Object.values(input.columns)
      .filter((v): v is ArrayLike<unknown> & { buffer: ArrayBuffer } => ArrayBuffer.isView(v))
      .map((v) => v.buffer);
    return transfer(input, [...new Set(buffers)]);
  }
  return input;
}

/**
 * Starts the forecast worker and returns its client. Errors reject with the runtime's typed errors
 * (`DataError`, `ModelError`, `CheckpointError`, …) carrying their messages, codes and field paths.
 * @example
 * const forecaster = createForecastWorker();
 * await forecaster.load({ url: 'https://forecast.example.com/checkpoints', name: 'twiga', apiKey });
 * const forecast = await forecaster.predictInterval({ records }, { levels: [0.9] });
 * // Several models side by side, by name (fleet names too):
 * await forecaster.load({ url, name: 'feeders/f002', apiKey });
 * await forecaster.predict({ records }, { model: 'feeders/f002' });
 * forecaster.terminate();
 */
export function createForecastWorker(options: ForecastWorkerOptions = {}): ForecastWorkerClient {
  const worker =
    options.worker ?? new Worker(new URL('./forecast.worker.ts', import.meta.url), { type: 'module' });
  const remote: Remote<ForecastWorkerApi> = wrap<ForecastWorkerApi>(worker as never);
  return {
    load: (source, o) => unwrap(remote.load(source, o)),
    listModels: (source) => unwrap(remote.listModels(source)),
    unload: (name) => unwrap(remote.unload(name)),
    predict: (input, o) => unwrap(remote.predict(moved(input), o)),
    predictInterval: (input, o) => unwrap(remote.predictInterval(moved(input), o)),
    predictWindows: (input, o) => unwrap(remote.predictWindows(moved(input), o)),
    detectDrift: (input, o) => unwrap(remote.detectDrift(moved(input), o)),
    health: () => unwrap(remote.health()),
    terminate() {
      remote[releaseProxy]();
      worker.terminate();
    },
  };
}
