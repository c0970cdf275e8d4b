/**
 * Child process of the fleet-serve bench: memory of loaded models in a fresh Node process, as one Worker
 * isolate would hold them (the app in-process, ORT in this realm). Prints one JSON line.
 * Usage: node --expose-gc --conditions=source --import tsx bench/fleet-memory.ts ROOT BODY_FILE DEFAULT N NAME_PREFIX
 */
import { readFileSync } from 'node:fs';
import { createApp } from '../src/edge/app.js';
import { inProcessPredictors } from '../src/edge/predictor.js';
import { FsCheckpointStore } from '../src/node/fs-store.js';
import { createOnnxEngine } from '../src/runtime/onnx/engine.js';
import { settingsFromEnv } from '../src/runtime/settings.js';

const [root, bodyFile, defaultName, count, prefix] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
];
const body = readFileSync(bodyFile, 'utf8');
const gc = (globalThis as { gc?: () => void }).gc;
const used = () => {
  gc?.();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, external: m.external, rss: m.rss };
};
const settings = settingsFromEnv({
  TWIGA_SERVE_CHECKPOINT: defaultName,
  TWIGA_SERVE_MAX_LOADED_MB: '100000',
});
const app = createApp({
  store: new FsCheckpointStore(root),
  settings,
  predictors: inProcessPredictors(createOnnxEngine()),
});
const ask = async (path: string) => {
  const res = await app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
};
const start = used();
await ask('/predict');
const base = used();
const n = Number(count);
const third = Math.max(1, Math.floor(n / 3));
let early = base;
for (let i = 1; i <= n; i++) {
  await ask(`/models/${prefix}${String(i).padStart(4, '0')}/predict`);
  if (i === third) early = used();
}
const after = used();
process.stdout.write(
  `${JSON.stringify({ gc: gc !== undefined, start, base, early, third, after, loaded: app.registry.loaded.length - 1, registryBytes: app.registry.loadedBytes })}\n`,
);
await app.registry.close();
