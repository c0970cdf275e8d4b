// Many series: one global model for a synthetic fleet of feeders, then forecasts for three of them in one call.
import { writeFile } from 'node:fs/promises';
import { FsCheckpointStore, trainFleet } from 'twiga-edge/node';
import {
  createOnnxEngine,
  Forecaster,
  fleetCsvChunks,
  forecastPanel,
  loadCheckpoint,
  seriesFramesFromRecords,
  syntheticFleet,
} from 'twiga-edge/runtime';

// Long format: one row per (series, timestamp) — `unique_id,timestamp,net_load`.
const fleet = syntheticFleet({ series: 20, days: 28 });
await writeFile('fleet.csv', [...fleetCsvChunks(fleet)].join(''));

const result = await trainFleet({
  config: {
    data: { path: 'fleet.csv' },
    pipeline: { target: 'net_load', idColumn: 'unique_id', horizon: 24, lookback: 48 },
    models: [
      { name: 'seasonal_naive', season: '1D' },
      { name: 'linear', alpha: 1 },
    ],
    train: { strategy: 'global', checkpointRoot: 'checkpoints', name: 'feeders' }, // or 'per_series'
  },
});
const { weighted, wins } = result.aggregate;
console.log(result.checkpoint_path, weighted.linear?.mae?.toFixed(2), wins);

// Serving side: rows of several series in one request, forecasts grouped by series.
const { files, version } = await loadCheckpoint(new FsCheckpointStore('checkpoints'), 'feeders');
const forecaster = await Forecaster.fromFiles(files, createOnnxEngine());
const records = fleet.slice(0, 3).flatMap((s) =>
  Array.from(s.time.subarray(-48), (t, i) => ({
    unique_id: s.id,
    timestamp: new Date(t).toISOString().slice(0, 16),
    net_load: s.net_load[s.time.length - 48 + i],
  })),
);
const frames = seriesFramesFromRecords(records, forecaster.pipeline.config);
const panel = await forecastPanel(forecaster, frames, version);
for (const [id, f] of Object.entries(panel.series))
  console.log(id, f.timestamps[0], f.forecasts.linear?.net_load?.[0]);
