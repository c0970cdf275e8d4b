// The forecast API in-process: the Hono app Workers run, here over the checkpoint trained above.
import { createApp, inProcessPredictors } from 'twiga-edge/edge';
import { FsCheckpointStore } from 'twiga-edge/node';
import { createOnnxEngine, settingsFromEnv } from 'twiga-edge/runtime';

const app = createApp({
  store: new FsCheckpointStore('.twiga-example/checkpoints'),
  settings: settingsFromEnv({ TWIGA_SERVE_CHECKPOINT: 'net-load', TWIGA_SERVE_API_KEY: 'dev-key' }),
  predictors: inProcessPredictors(createOnnxEngine()),
});
const health = await (await app.request('/health')).json();
console.log(health.status, health.version, health.models);

// 7 days of history, then tomorrow's weather with net_load still unknown (null): one row per 30 min.
const start = Date.UTC(2024, 5, 1);
const records = Array.from({ length: 8 * 48 }, (_, i) => ({
  timestamp: new Date(start + i * 1_800_000).toISOString(),
  net_load: i < 7 * 48 ? 450 + 80 * Math.sin((i / 48) * 2 * Math.PI) : null,
  temperature: 18,
  irradiance: Math.max(0, 800 * Math.sin(((i % 48) / 48) * 2 * Math.PI - 1.6)),
}));
const res = await app.request('/predict-interval', {
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-api-key': 'dev-key' },
  body: JSON.stringify({ records, levels: [0.9] }),
});
const forecast = await res.json();
const band = forecast.intervals.ensemble.net_load['0.9'];
console.log(
  res.status,
  forecast.timestamps[0],
  forecast.forecasts.ensemble.net_load[0],
  band.lower[0],
  band.upper[0],
);
