/**
 * A small seeded fleet for the fleet route tests and the fleet-serve bench: `feeders/f001…` per-series
 * linear checkpoints trained by the real `train()` on synthetic net load with different levels, seeds and
 * noise, and what each one forecasts for its own recent records (computed in Node through the same ORT
 * engine the servers use). Test-only; the project's synthetic fleet generator will replace it.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { netLoadCsv, netLoadPipeline } from '../../src/node/demo/net-load.js';
import { FsCheckpointStore } from '../../src/node/fs-store.js';
import { memoryLogger } from '../../src/node/log.js';
import { train } from '../../src/node/train.js';
import { loadCheckpoint } from '../../src/runtime/checkpoint/checkpoint.js';
import { type ForecastJson, forecastLatest } from '../../src/runtime/forecast-json.js';
import { Forecaster } from '../../src/runtime/forecaster.js';
import { frameFromRecords } from '../../src/runtime/input/frame-input.js';
import { createOnnxEngine } from '../../src/runtime/onnx/engine.js';
import { type SyntheticSeries, syntheticNetLoad } from '../../src/runtime/synthetic.js';
import { formatTimestamp } from '../../src/runtime/time-format.js';

export const FLEET = 'feeders';
const DAYS = 24;
const RECORD_DAYS = 4;
const PER_DAY = 48;

export type FleetRecord = { timestamp: string; net_load: number };

export interface FleetFixture {
  /** Temp folder holding everything (remove when done). */
  dir: string;
  /** Store root: the models are `<root>/feeders/f001/…`. */
  root: string;
  /** `feeders/f001`, `feeders/f002`, … */
  names: string[];
  /** Each model's recent records (the last days of its own series). */
  records: Record<string, FleetRecord[]>;
  /** What each model forecasts for its records. */
  expected: Record<string, ForecastJson>;
  /** Every stored object: key relative to the root → base64. */
  files: Record<string, string>;
  /** Bytes of each model's active version files (what the registry counts, before its overhead). */
  modelBytes: Record<string, number>;
}

/** Series `i` of the fleet: its own seed, a level from 0.4× to 2.2× and added noise. */
export function fleetSeries(i: number, days = DAYS): SyntheticSeries {
  const base = syntheticNetLoad({ days, seed: 101 + i });
  const level = 0.4 + ((i * 0.37) % 1.8);
  const net_load = base.net_load.map((v, k) => v * level + ((k * (i + 3)) % 7) * (i % 3));
  return { ...base, net_load };
}

/**
 * Trains `count` linear per-series models (`feeders/f001`…) into a temp store root.
 * @param count default 3.
 */
export async function buildFleetFixture(count = 3): Promise<FleetFixture> {
  const dir = await mkdtemp(path.join(tmpdir(), 'twiga-fleet-'));
  const root = path.join(dir, 'checkpoints');
  const store = new FsCheckpointStore(root);
  const engine = createOnnxEngine();
  const names: string[] = [];
  const records: FleetFixture['records'] = {};
  const expected: FleetFixture['expected'] = {};
  const modelBytes: FleetFixture['modelBytes'] = {};
  for (let i = 1; i <= count; i++) {
    const series_id = `f${String(i).padStart(3, '0')}`;
    const name = `${FLEET}/${series_id}`;
    const series = fleetSeries(i);
    const data = path.join(dir, `f${i}.csv`);
    await writeFile(data, netLoadCsv(series, { from: 0, columns: ['net_load'] }));
    await train({
      logger: memoryLogger(),
      config: {
        data: { path: data },
        pipeline: netLoadPipeline({ lookback: '1D' }),
        models: [{ name: 'linear', alpha: 1 }],
        train: { checkpointRoot: path.join(root, FLEET), name: series_id },
      },
    });
    const first = series.time.length - RECORD_DAYS * PER_DAY;
    const mine = Array.from(series.time.subarray(first), (t, k) => ({
      timestamp: formatTimestamp(t),
      net_load: series.net_load[first + k]!,
    }));
    const loaded = await loadCheckpoint(store, name);
    const forecaster = await Forecaster.fromFiles(loaded.files, engine);
    const frame = frameFromRecords(mine, forecaster.manifest.pipeline.config);
    expected[name] = await forecastLatest(forecaster, frame, loaded.version, {});
    await forecaster.release();
    modelBytes[name] = Object.values(loaded.files).reduce((s, f) => s + f.byteLength, 0);
    records[name] = mine;
    names.push(name);
  }
  const files: Record<string, string> = {};
  for (const key of await store.list(`${FLEET}/`)) {
    files[key] = Buffer.from((await store.get(key))!.bytes).toString('base64');
  }
  return { dir, root, names, records, expected, files, modelBytes };
}
