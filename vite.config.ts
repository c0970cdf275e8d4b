/**
 * Vite: the demo page (`vite build` → `dist/web/`, served by `vite preview`, checkpoint and sample CSV
 * included) and the browser library (`vite build --mode lib` → `dist/web-lib/`: `src/worker/index.ts` as
 * ESM with the worker chunk and ORT's and the drift core's `.wasm` as files beside it).
 */
import { fileURLToPath } from 'node:url';
import { createLogger, defineConfig, type Plugin, type UserConfig } from 'vite';
import { demoCheckpoint } from './scripts/vite-demo-checkpoint.js';

const path = (p: string) => fileURLToPath(new URL(p, import.meta.url));

/** `new URL('x.wasm', import.meta.url)` in a dependency (onnxruntime-web). */
const WASM_URL_RE = /new URL\((["'])([^"'?]+\.wasm)\1\s*,\s*import\.meta\.url\)/g;

/**
 * Keeps every `.wasm` an emitted file (`?no-inline`): Vite inlines assets as base64 in library mode and
 * small ones (the 2 KB drift core) everywhere, which would put ORT's 14 MB into a JS string.
 */
function wasmAsFiles(): Plugin {
  return {
    name: 'twiga-wasm-as-files',
    enforce: 'pre',
    async resolveId(source, importer, options) {
      if (!/\.wasm\?url$/.test(source)) return null;
      const resolved = await this.resolve(source, importer, { ...options, skipSelf: true });
      return resolved ? { ...resolved, id: `${resolved.id}&no-inline` } : null;
    },
    transform(code) {
      if (!code.includes('.wasm')) return null;
      const out = code.replace(WASM_URL_RE, 'new URL($1$2?no-inline$1, import.meta.url)');
      return out === code ? null : { code: out, map: null };
    },
  };
}

const shared: UserConfig = {
  // Relative URLs (resolved against `import.meta.url`): the site and the library work from any path.
  base: './',
  publicDir: false,
  plugins: [wasmAsFiles()],
  worker: { format: 'es', plugins: () => [wasmAsFiles()] },
  optimizeDeps: {
    // ORT finds its .wasm relative to its own module: pre-bundling would move it.
    exclude: ['onnxruntime-web'],
    // Found only behind the worker and dynamic imports; listed so the dev server does not reload the page.
    include: ['apache-arrow', 'comlink', 'suncalc', 'uplot', 'zod', '@duckdb/duckdb-wasm'],
  },
  server: { fs: { allow: [path('.')] } },
};

/** Vite's logger, without the dev server's ~120 warnings about duckdb-wasm's worker sourcemap (it points into the package's own build tree). */
function quietLogger() {
  const logger = createLogger();
  const warnOnce = logger.warnOnce.bind(logger);
  logger.warnOnce = (message, options) => {
    if (message.includes('@duckdb/duckdb-wasm/dist/') && message.includes('outside its package')) return;
    warnOnce(message, options);
  };
  return logger;
}

const lib: UserConfig = {
  ...shared,
  build: {
    outDir: path('dist/web-lib'),
    emptyOutDir: true,
    target: 'es2022',
    lib: { entry: path('src/worker/index.ts'), formats: ['es'], fileName: 'index' },
  },
};

const demo: UserConfig = {
  ...shared,
  root: path('src/worker/demo'),
  customLogger: quietLogger(),
  plugins: [wasmAsFiles(), demoCheckpoint()],
  build: {
    outDir: path('dist/web'),
    emptyOutDir: true,
    target: 'es2022',
    // Training the demo checkpoint is most of the build's time, and expected.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
};

export default defineConfig(({ mode }) => (mode === 'lib' ? lib : demo));
