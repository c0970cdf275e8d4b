/**
 * A global checkpoint as the default model inside workerd: the real Hono app over the real local R2 binding,
 * inference in the isolate (the Worker's own predictor factory).
 */
import { env } from 'cloudflare:test';
import { beforeAll } from 'vitest';
import { createApp } from '../../../src/edge/app.js';
import { inProcessPredictors, type PredictorFactory } from '../../../src/edge/predictor.js';
import { R2CheckpointStore } from '../../../src/edge/r2-store.js';
import { initEdgeRuntime } from '../../../src/edge/wasm.js';
import type { PanelForecastJson } from '../../../src/runtime/fleet/panel-forecast.js';
import { settingsFromEnv } from '../../../src/runtime/settings.js';
import { describeGlobalRoutes, type GlobalHarness } from '../global-suite.js';
import { ROUTE_SETTINGS } from '../route-settings.js';
import { fromBase64 } from './seed.js';

let harness: GlobalHarness;

beforeAll(async () => {
  const files = Object.entries(env.TEST_GLOBAL_FILES);
  await Promise.all(files.map(([key, base64]) => env.CHECKPOINTS.put(key, fromBase64(base64))));
  const store = new R2CheckpointStore(env.CHECKPOINTS, { bucketName: 'twiga-checkpoints' });
  const predictors: PredictorFactory = {
    async create(f, version, manifest) {
      const { engine } = await initEdgeRuntime();
      return inProcessPredictors(engine).create(f, version, manifest);
    },
  };
  const settings = settingsFromEnv({
    TWIGA_SERVE_CHECKPOINT: 'fleet-global',
    TWIGA_SERVE_API_KEY: ROUTE_SETTINGS.apiKey,
    TWIGA_SERVE_POLL_SECONDS: String(ROUTE_SETTINGS.pollSeconds),
  });
  const app = createApp({ store, settings, predictors });
  harness = {
    request: async (path, init) => app.request(path, init),
    records: JSON.parse(env.TEST_GLOBAL_RECORDS_JSON) as GlobalHarness['records'],
    expected: JSON.parse(env.TEST_GLOBAL_EXPECTED_JSON) as PanelForecastJson,
  };
});

describeGlobalRoutes('workerd, local R2', () => harness);
