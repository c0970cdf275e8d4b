/**
 * Node side of the global-model route tests: a real global checkpoint trained by `trainFleet()` on three
 * synthetic series, the records a client sends for all three at once, and what the runtime answers in Node.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FsCheckpointStore } from '../../src/node/fs-store.js';
import { memoryLogger } from '../../src/node/log.js';
import { trainFleet } from '../../src/node/train-fleet.js';
import { loadCheckpoint } from '../../src/runtime/checkpoint/index.js';
import type { PanelForecastJson } from '../../src/runtime/fleet/panel-forecast.js';
import { forecastPanel, seriesFramesFromRecords } from '../../src/runtime/fleet/panel-forecast.js';
import { fleetCsvChunks, syntheticFleet } from '../../src/runtime/fleet/synthetic-fleet.js';
import { Forecaster } from '../../src/runtime/forecaster.js';
import { createOnnxEngine } from '../../src/runtime/onnx/engine.js';
import { formatTimestamp } from '../../src/runtime/time-format.js';

export const GLOBAL_NAME = 'fleet-global';
const DAYS = 30;
const RECORD_DAYS = 4;

export interface GlobalFixture {
  dir: string;
  root: string;
  checkpointDir: string;
  /** The last 4 days of each of the 3 series: `{ unique_id, timestamp, net_load }`, series interleaved. */
  records: Array<{ unique_id: string; timestamp: string; net_load: number }>;
  /** `forecastPanel` on those records in Node, with 90 % intervals. */
  expected: PanelForecastJson;
  /** Every stored object of the checkpoint: key relative to the root → base64. */
  files: Record<string, string>;
}

export async function buildGlobalFixture(): Promise<GlobalFixture> {
  const dir = await mkdtemp(path.join(tmpdir(), 'twiga-global-'));
  const fleet = syntheticFleet({ series: 3, days: DAYS });
  const data = path.join(dir, 'fleet.csv');
  await writeFile(data, [...fleetCsvChunks(fleet)].join(''));
  const root = path.join(dir, 'checkpoints');
  await trainFleet({
    logger: memoryLogger(),
    config: {
      data: { path: data },
      pipeline: { target: 'net_load', idColumn: 'unique_id', horizon: 24, lookback: 48 },
      models: [
        { name: 'seasonal_naive', season: '1D' },
        { name: 'linear', alpha: 1 },
      ],
      train: { checkpointRoot: root, name: GLOBAL_NAME, strategy: 'global' },
    },
  });
  const n = fleet[0]!.time.length;
  const records: GlobalFixture['records'] = [];
  for (let i = n - RECORD_DAYS * 24; i < n; i++) {
    for (const s of fleet)
      records.push({ unique_id: s.id, timestamp: formatTimestamp(s.time[i]!), net_load: s.net_load[i]! });
  }
  const store = new FsCheckpointStore(root);
  const loaded = await loadCheckpoint(store, GLOBAL_NAME);
  const forecaster = await Forecaster.fromFiles(loaded.files, createOnnxEngine());
  const frames = seriesFramesFromRecords(records, forecaster.pipeline.config);
  const expected = await forecastPanel(forecaster, frames, loaded.version, { levels: [0.9] });
  await forecaster.release();
  const files: Record<string, string> = {};
  for (const key of await store.list(`${GLOBAL_NAME}/`)) {
    files[key] = Buffer.from((await store.get(key))!.bytes).toString('base64');
  }
  return { dir, root, checkpointDir: path.join(root, GLOBAL_NAME), records, expected, files };
}
