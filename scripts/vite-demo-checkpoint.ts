/**
 * Vite plugin: trains the demo checkpoint once per Vite process (in a temp dir, with the repo's own
 * Node code through `scripts/demo-checkpoint.ts`) and serves its store keys and the sample CSV under
 * `demo/` — emitted as assets by `vite build`, answered by a middleware in `vite` (dev).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';

/** URL prefix of the demo's files, relative to the site's base. */
export const DEMO_PREFIX = 'demo/';
const SCRIPT = fileURLToPath(new URL('./demo-checkpoint.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.csv': 'text/csv; charset=utf-8',
  '.onnx': 'application/octet-stream',
};

/** Every file under `dir` as `key (posix, relative) → absolute path`. */
async function listFiles(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name.startsWith('.')) continue;
    const path = join(entry.parentPath, entry.name);
    out.set(relative(dir, path).split(sep).join('/'), path);
  }
  return out;
}

/**
 * `checkpoints/_models.json`: the names of the models under the root, as the edge's
 * `/checkpoints/_models.json` lists them (the page's worker lists models from it; a fleet gets a picker).
 */
export async function writeModelIndex(root: string): Promise<string[]> {
  const manifest = /^(.+)\/_checkpoint_manifest\.json$/;
  const models = [...(await listFiles(root)).keys()].flatMap((key) => manifest.exec(key)?.[1] ?? []).sort();
  await writeFile(join(root, '_models.json'), `${JSON.stringify({ models })}\n`);
  return models;
}

/** Runs the training script in a child Node process (its own duckdb-wasm and ORT, gone when it exits). */
function runTraining(out: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', SCRIPT, out],
      { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`demo checkpoint training failed: ${stderr.trim() || error.message}`));
        else resolve(stdout.trim());
      },
    );
  });
}

/** The demo's files (`checkpoints/net-load/…`, `sample.csv`), trained on first use and cached. */
function demoFiles(log: (message: string) => void): {
  files: () => Promise<Map<string, string>>;
  dispose: () => Promise<void>;
} {
  let dir: string | undefined;
  let ready: Promise<Map<string, string>> | undefined;
  const build = async () => {
    dir = await mkdtemp(join(tmpdir(), 'twiga-demo-'));
    const summary = await runTraining(dir);
    log(`demo checkpoint trained ${summary}`);
    await writeModelIndex(join(dir, 'checkpoints'));
    const all = await listFiles(dir);
    return new Map([...all].filter(([key]) => key.startsWith('checkpoints/') || key === 'sample.csv'));
  };
  return {
    files: () => {
      ready ??= build();
      return ready;
    },
    dispose: async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
      dir = undefined;
      ready = undefined;
    },
  };
}

/** Trains the demo checkpoint and publishes it (and `sample.csv`) under `demo/`. */
export function demoCheckpoint(): Plugin {
  let demo: ReturnType<typeof demoFiles> | undefined;
  let building = false;
  return {
    name: 'twiga-demo-checkpoint',
    configResolved(config) {
      building = config.command === 'build';
      demo = demoFiles((message) => config.logger.info(`[twiga-demo] ${message}`));
    },
    async buildStart() {
      if (!building || !demo) return;
      for (const [key, path] of await demo.files()) {
        this.emitFile({ type: 'asset', fileName: `${DEMO_PREFIX}${key}`, source: await readFile(path) });
      }
    },
    async closeBundle() {
      await demo?.dispose();
    },
    configureServer(server) {
      const files = demo!.files;
      void files().catch((error: unknown) => server.config.logger.error(String(error)));
      server.httpServer?.once('close', () => void demo?.dispose());
      server.middlewares.use(`${server.config.base}${DEMO_PREFIX}`, (req, res, next) => {
        const key = decodeURIComponent((req.url ?? '').split('?')[0]!.replace(/^\//, ''));
        files()
          .then(async (map) => {
            const path = map.get(key);
            if (!path) return next();
            const ext = key.slice(key.lastIndexOf('.'));
            res.setHeader('content-type', CONTENT_TYPES[ext] ?? 'application/octet-stream');
            res.setHeader('cache-control', 'no-store');
            res.end(await readFile(path));
          })
          .catch(next);
      });
    },
  };
}
