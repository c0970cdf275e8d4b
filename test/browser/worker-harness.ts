/**
 * Node side of test/browser/worker.test.ts: the harness page on Vite's dev server, checkpoints from a real
 * `twiga-edge serve` (proxied, so the page stays same-origin) and, for the corrupted case, static files.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { defaultClientConditions, type Plugin, type ViteDevServer, createServer as viteServer } from 'vite';
import type { ServingFixture } from '../edge/fixture.js';
import { ROOT } from './chromium.js';

export const HARNESS_PAGE = 'test/browser/pages/worker.html';
/** Where the page finds the checkpoint the Node server serves (proxied to it, path unchanged). */
export const EDGE_BASE = '/checkpoints';
/** Static copies of the fixture's store keys; under `corrupt/`, one file has an altered byte. */
export const STATIC_BASE = '/static-checkpoints';
export const CORRUPT_BASE = '/static-checkpoints/corrupt';

/** The fixture's objects, keyed relative to the store root, one of them (`corruptKey`) damaged in a copy. */
export function staticFiles(fixture: ServingFixture, corruptKey: string) {
  const good = new Map(Object.entries(fixture.files).map(([k, b64]) => [k, Buffer.from(b64, 'base64')]));
  const bad = new Map(good);
  const bytes = Buffer.from(good.get(corruptKey)!);
  bytes[bytes.length >> 1] ^= 0xff;
  bad.set(corruptKey, bytes);
  return { good, bad };
}

/** `GET <STATIC_BASE>/<key>` and `<CORRUPT_BASE>/<key>` answer the fixture's files with ETags. */
function staticCheckpoints(files: ReturnType<typeof staticFiles>): Plugin {
  const send = (store: Map<string, Buffer>, key: string, res: ServerResponse) => {
    const bytes = store.get(key);
    if (!bytes) {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    res.setHeader('ETag', `"${createHash('sha256').update(bytes).digest('hex')}"`);
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Content-Length', String(bytes.length));
    res.end(bytes);
  };
  return {
    name: 'twiga-test-static-checkpoints',
    configureServer(server) {
      server.middlewares.use(STATIC_BASE, (req: IncomingMessage, res: ServerResponse) => {
        const path = decodeURIComponent((req.url ?? '/').split('?')[0]!).replace(/^\//, '');
        if (path.startsWith('corrupt/')) send(files.bad, path.slice('corrupt/'.length), res);
        else send(files.good, path, res);
      });
    },
  };
}

/** Vite's dev server over the repo (not its vite.config.ts): no watcher or HMR, so edits elsewhere never reload the page. */
export async function startHarnessServer(
  edgeUrl: string,
  files: ReturnType<typeof staticFiles>,
): Promise<{ url: string; server: ViteDevServer }> {
  const server = await viteServer({
    configFile: false,
    root: ROOT,
    logLevel: 'warn',
    clearScreen: false,
    cacheDir: 'node_modules/.vite-browser-tests',
    resolve: { conditions: ['source', ...defaultClientConditions] },
    optimizeDeps: { entries: [HARNESS_PAGE, 'src/worker/forecast.worker.ts'] },
    plugins: [staticCheckpoints(files)],
    server: {
      host: '127.0.0.1',
      port: 0,
      hmr: false,
      watch: null,
      proxy: { [EDGE_BASE]: { target: edgeUrl } },
    },
  });
  await server.listen();
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('Vite did not report its URL');
  return { url, server };
}
