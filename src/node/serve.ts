/** `twiga-edge serve`: the edge's Hono app on Node, over a checkpoint folder, with inference in worker threads. */
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { basename, dirname, resolve } from 'node:path';
import { serve as listen, type ServerType } from '@hono/node-server';
import { createApp, type TwigaApp } from '../edge/app.js';
import { initNodeDriftWasm } from './drift-wasm.js';
import { FsCheckpointStore } from './fs-store.js';
import { ForecastThreadPool } from './pool/thread-pool.js';
import { loadSettings } from './settings.js';

export interface ServeOptions {
  /** The checkpoint folder (holding `_checkpoint_manifest.json`). */
  checkpoint: string;
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
 * Starts the API on Node: the checkpoint's active version is loaded (hash-verified) before listening.
 * `TWIGA_SERVE_API_KEY` and the other `TWIGA_*` settings come from the environment (over a `.env` file).
 * @throws CheckpointError when the folder has no loadable checkpoint; ConfigError for bad settings.
 * @example
 * const server = await serve({ checkpoint: 'checkpoints/twiga', port: 8000 });
 * console.log(server.url); // http://127.0.0.1:8000
 * await server.close();
 */
export async function serve(options: ServeOptions): Promise<RunningServer> {
  const dir = resolve(options.checkpoint);
  const settings = await loadSettings({
    env: { ...(options.env ?? process.env), TWIGA_SERVE_CHECKPOINT: basename(dir) },
    envFile: options.envFile ?? (options.env ? false : undefined),
  });
  await initNodeDriftWasm();
  const log = options.log ?? ((m: string) => console.error(m));
  const pool = new ForecastThreadPool({ size: options.workers ?? defaultWorkers(), warn: log });
  const app = createApp({ store: new FsCheckpointStore(dirname(dir)), settings, predictors: pool, log });
  try {
    await app.host.ensure();
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
