/**
 * Inference off the event loop, as twiga's server does with its thread pool: N worker threads, each
 * running the runtime's Forecaster, reached through comlink. Every loaded checkpoint version is loaded in
 * every thread; a forecast goes to the least busy one, its arrays transferred rather than copied.
 */
import type { Worker } from 'node:worker_threads';
import { type Remote, transfer, wrap } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import type { Predictor, PredictorFactory } from '../../edge/predictor.js';
import type { EngineName } from '../../runtime/engine/contract.js';
import { ModelError } from '../../runtime/errors.js';
import type { SeriesFrame } from '../../runtime/fleet/panel-forecast.js';
import type { ForecastOptions } from '../../runtime/forecast-json.js';
import type { Frame } from '../../runtime/frame.js';
import { fromReply, type Reply } from '../../runtime/serving/error-wire.js';
import { spawnWorker } from '../spawn-worker.js';
import type { ForecastThreadApi } from './thread-api.js';

interface Thread {
  worker: Worker;
  api: Remote<ForecastThreadApi>;
  busy: number;
  /** Rejects when the thread exits; every call races against it so none hangs on a dead thread. */
  exited: Promise<never>;
}

/** Thread count and where an unexpected thread exit is reported. */
export interface ThreadPoolOptions {
  /** Worker threads. */
  size: number;
  /** Where an unexpected thread exit is reported. @default console.error */
  warn?: (message: string) => void;
}

/** The distinct buffers behind a frame's arrays, to transfer them to a thread. */
function buffersOf(frame: Frame): ArrayBuffer[] {
  const all = [frame.time, ...Object.values(frame.columns)].map((a) => a.buffer as ArrayBuffer);
  return [...new Set(all)];
}

/** Inference in worker threads (comlink): the predictor factory of `twiga-edge serve`. */
export class ForecastThreadPool implements PredictorFactory {
  readonly #threads: Thread[] = [];
  /** Loaded generations, kept so a replacement thread can load them too. */
  readonly #live = new Map<number, { files: Record<string, Uint8Array>; version: number }>();
  readonly #warn: (message: string) => void;
  #nextId = 1;
  #closing = false;

  /**
   * @example
   * const pool = new ForecastThreadPool({ size: 2 });
   * const app = createApp({ store, settings, predictors: pool });
   * // … on shutdown:
   * await pool.close();
   */
  constructor(options: ThreadPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) {
      throw new ModelError(`workers must be a positive integer, got ${options.size}`, {
        workers: options.size,
      });
    }
    this.#warn = options.warn ?? ((m) => console.error(m));
    for (let i = 0; i < options.size; i++) this.#threads.push(this.#spawn());
  }

  get size(): number {
    return this.#threads.length;
  }

  /** The live worker threads (for diagnostics: `threadId`, resource limits). */
  get workers(): readonly Worker[] {
    return this.#threads.map((t) => t.worker);
  }

  async create(files: Readonly<Record<string, Uint8Array>>, version: number): Promise<Predictor> {
    const id = this.#nextId++;
    const copy = { ...files };
    this.#live.set(id, { files: copy, version });
    let engines: Record<string, EngineName>;
    try {
      const loaded = await Promise.all(
        this.#threads.map((t) => this.#call(t, (api) => api.load(id, copy, version))),
      );
      // Every thread runs the same engine choice on the same files.
      engines = loaded[0] ?? {};
    } catch (error) {
      await this.#release(id);
      throw error;
    }
    return {
      forecast: (frame, options) => this.#forecast(id, frame, options),
      forecastSeries: (frames, options) => this.#forecastSeries(id, frames, options),
      release: () => this.#release(id),
      engines,
    };
  }

  /** Terminates every thread; pending forecasts reject. */
  async close(): Promise<void> {
    this.#closing = true;
    await Promise.all(this.#threads.map((t) => t.worker.terminate()));
  }

  #forecast(id: number, frame: Frame, options: ForecastOptions) {
    const thread = this.#threads.reduce((best, t) => (t.busy < best.busy ? t : best));
    return this.#call(thread, (api) => api.forecast(id, transfer(frame, buffersOf(frame)), options));
  }

  #forecastSeries(id: number, frames: SeriesFrame[], options: ForecastOptions) {
    const thread = this.#threads.reduce((best, t) => (t.busy < best.busy ? t : best));
    const buffers = [...new Set(frames.flatMap((s) => buffersOf(s.frame)))];
    return this.#call(thread, (api) => api.forecastSeries(id, transfer(frames, buffers), options));
  }

  async #release(id: number): Promise<void> {
    this.#live.delete(id);
    await Promise.all(this.#threads.map((t) => this.#call(t, (api) => api.release(id)).catch(() => null)));
  }

  async #call<T>(thread: Thread, run: (api: Remote<ForecastThreadApi>) => Promise<Reply<T>>): Promise<T> {
    thread.busy++;
    try {
      return fromReply(await Promise.race([run(thread.api), thread.exited]));
    } finally {
      thread.busy--;
    }
  }

  #spawn(): Thread {
    const worker = spawnWorker(import.meta.url, 'forecast-thread');
    let onExit: (error: Error) => void = () => undefined;
    const exited = new Promise<never>((_, reject) => {
      onExit = reject;
    });
    exited.catch(() => undefined);
    const thread: Thread = { worker, api: wrap<ForecastThreadApi>(nodeEndpoint(worker)), busy: 0, exited };
    const down = (why: string) => {
      onExit(
        new ModelError(`forecast thread stopped (${why})`, { stage: 'run' }, undefined, 'INFERENCE_ERROR'),
      );
      if (!this.#closing) this.#replace(thread, why);
    };
    worker.once('error', (error) => down(error.message));
    worker.once('exit', (code) => down(`exit code ${code}`));
    return thread;
  }

  /** A thread died unexpectedly: start another in its place and load every live generation into it. */
  #replace(dead: Thread, why: string): void {
    const index = this.#threads.indexOf(dead);
    if (index < 0) return;
    this.#warn(`twiga-edge: a forecast thread stopped (${why}); starting a replacement`);
    const fresh = this.#spawn();
    this.#threads[index] = fresh;
    for (const [id, { files, version }] of this.#live) {
      this.#call(fresh, (api) => api.load(id, files, version)).catch((error) =>
        this.#warn(`twiga-edge: replacement thread could not load generation ${id}: ${String(error)}`),
      );
    }
  }
}
