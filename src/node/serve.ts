/**
 * `twiga-edge serve`: the edge's Hono app on Node, over one checkpoint folder or a whole fleet of them, with
 * inference in one pool of worker threads shared by every loaded model.
 */
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { basename, dirname, resolve } from 'node:path';
import { serve as listen, type ServerType } from '@hono/node-server';
import { createApp, type TwigaApp } from '../edge/app.js';
import { listModels } from '../runtime/checkpoint/models.js';
import { CheckpointError, ConfigError } from '../runtime/errors.js';
import { initNodeDriftWasm } from './drift-wasm.js';
import { FsCheckpointStore } from './fs-store.js';
import { ForecastThreadPool } from './pool/thread-pool.js';
import { loadSettings } from './settings.js';

/** Checkpoint folder, port, host, inference threads and settings source of `serve`. */
export interface ServeOptions {
  /** One checkpoint folder (holding `_checkpoint_manifest.json`); only it is served. */
  checkpoint?: string;
  /**
   * A store root: every model under it is served by name (`/models/{name}/…`, fleet names
   * `<fleet>/<series>`); the unprefixed routes serve `TWIGA_SERVE_CHECKPOINT`, else the first model listed.
   */
  checkpoints?: string;
  /** @default 8000; 0 picks a free port. */
  port?: number;
  /** @default 127.0.0.1 */
  host?: string;
  /** Inference threads. @default one less than the CPUs, at least 1 */
  workers?: number;
  /** `TWIGA_*` settings source. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /** Dotenv file under `env`. @default `.env` when present, none when `env` is given */
  envFile?: string | false;
  log?: (message: string) => void;
}

/** A listening server: its URL and how to stop it. */
export interface RunningServer {
  url: string;
  port: number;
  app: TwigaApp;
  /** Stops accepting connections, then stops the threads. */
  close(): Promise<void>;
}

/** Default inference threads: leave one CPU to the HTTP event loop. */
export const defaultWorkers = (): number => Math.max(1, availableParallelism() - 1);

/**
 * Starts the API on Node. With `checkpoint`, its active version is loaded (hash-verified) before listening;
 * with `checkpoints`, the folder must hold at least one model and each loads on its first request.
 * `TWIGA_SERVE_API_KEY` and the other `TWIGA_*` settings come from the environment (over a `.env` file).
 * @throws CheckpointError when there is no loadable checkpoint (no model under `checkpoints`); ConfigError
 *   for bad settings or when neither or both of `checkpoint` and `checkpoints` are given.
 * @example
 * const server = await serve({ checkpoint: 'checkpoints/twiga', port: 8000 });
 * console.log(server.url); // http://127.0.0.1:8000
 * await server.close();
 */
export async function serve(options: ServeOptions): Promise<RunningServer> {
  const target = await servedTarget(options);
  const settings = await loadSettings({
    env: { ...(options.env ?? process.env), TWIGA_SERVE_CHECKPOINT: target.defaultName },
    envFile: options.envFile ?? (options.env ? false : undefined),
  });
  await initNodeDriftWasm();
  const log = options.log ?? ((m: string) => console.error(m));
  // One pool for every model: each loaded model is a generation in the same threads, not a thread set of its own.
  const pool = new ForecastThreadPool({ size: options.workers ?? defaultWorkers(), warn: log });
  const app = createApp({ store: target.store, settings, predictors: pool, log, fleet: target.fleet });
  try {
    if (!target.fleet) await app.host.ensure();
  } catch (error) {
    await pool.close();
    throw error;
  }
  const server = await new Promise<ServerType>((ok, fail) => {
    const s = listen(
      { fetch: app.fetch, port: options.port ?? 8000, hostname: options.host ?? '127.0.0.1' },
      () => ok(s),
    );
    s.once('error', fail);
  });
  const { port, address } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    port,
    app,
    close: async () => {
      await new Promise<void>((ok) => server.close(() => ok()));
      await pool.close();
    },
  };
}

/** The store, default model name and mode the options describe. */
async function servedTarget(
  options: ServeOptions,
): Promise<{ store: FsCheckpointStore; defaultName: string; fleet: boolean }> {
  if ((options.checkpoint === undefined) === (options.checkpoints === undefined)) {
    const message = 'give exactly one of --checkpoint DIR/NAME (one model) and --checkpoints DIR (a fleet)';
    throw new ConfigError(message, [{ path: 'checkpoint', message }]);
  }
  if (options.checkpoint !== undefined) {
    const dir = resolve(options.checkpoint);
    return { store: new FsCheckpointStore(dirname(dir)), defaultName: basename(dir), fleet: false };
  }
  const store = new FsCheckpointStore(resolve(options.checkpoints!));
  const names = await listModels(store);
  if (names.length === 0) {
    throw new CheckpointError('CHECKPOINT_NOT_FOUND', `No models under ${store.root}`, {
      location: store.root,
    });
  }
  const wanted = (options.env ?? process.env)['TWIGA_SERVE_CHECKPOINT'];
  return { store, defaultName: wanted || names[0]!, fleet: true };
}
