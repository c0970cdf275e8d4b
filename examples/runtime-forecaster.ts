// The isomorphic core on its own: load a checkpoint from any CheckpointStore and forecast records.

import { FsCheckpointStore } from 'twiga-edge/node';
import {
  createOnnxEngine,
  Forecaster,
  type Frame,
  loadCheckpoint,
  MemoryCheckpointStore,
  saveCheckpoint,
} from 'twiga-edge/runtime';

// Copy the checkpoint the first example saved into an in-memory store, as a browser or edge would hold it.
const disk = await loadCheckpoint(new FsCheckpointStore('.twiga-example/checkpoints'), 'net-load');
const memory = new MemoryCheckpointStore();
await saveCheckpoint(memory, 'net-load', disk.files, {
  modelType: disk.manifest.model_type,
  checkpointFile: 'pipeline.json',
});

const { files } = await loadCheckpoint(memory, 'net-load'); // verifies every sha256
const forecaster = await Forecaster.fromFiles(files, createOnnxEngine());
const { lookback, horizon, periodMs } = forecaster.pipeline.config;

// A frame of history plus `horizon` future rows carrying the known-ahead covariates (target NaN).
const n = lookback + horizon;
const t0 = Date.UTC(2024, 5, 1);
const frame: Frame = {
  time: Float64Array.from({ length: n }, (_, i) => t0 + i * periodMs),
  columns: {
    net_load: Float64Array.from({ length: n }, (_, i) =>
      i < lookback ? 450 + 80 * Math.sin((i / 48) * 2 * Math.PI) : Number.NaN,
    ),
    temperature: new Float64Array(n).fill(18),
    irradiance: Float64Array.from({ length: n }, (_, i) =>
      Math.max(0, 800 * Math.sin(((i % 48) / 48) * 2 * Math.PI - 1.6)),
    ),
  },
};
const batch = await forecaster.predictLatest(frame, 'median');
console.log(forecaster.modelLabels, batch.predictions.ensemble?.slice(0, 4));
