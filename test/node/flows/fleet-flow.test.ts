/**
 * The training flow over a fleet: a synthetic panel loaded once, one checkpoint per series (or one global),
 * and one MLflow run per model nested under the flow's parent run (file store, parsed back as MLflow reads it).
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fleetTrainingFlow } from '../../../src/node/flows/fleet-flow.js';
import { memoryLogSink } from '../../../src/node/flows/flow-log.js';
import {
  fleetCsvChunks,
  fleetStaticCsv,
  syntheticFleet,
} from '../../../src/runtime/fleet/synthetic-fleet.js';
import { settingsFromEnv } from '../../../src/runtime/settings.js';
import { runCliJson } from '../cli-run.js';

let dir: string;
let data: string;
let statics: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twiga-fleet-flow-'));
  const fleet = syntheticFleet({ series: 4, days: 21 });
  data = join(dir, 'fleet.csv');
  statics = join(dir, 'static.csv');
  await writeFile(data, [...fleetCsvChunks(fleet)].join(''));
  await writeFile(statics, fleetStaticCsv(fleet));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const CONFIG = {
  data: { path: '' },
  pipeline: { target: 'net_load', idColumn: 'unique_id', horizon: 24, lookback: 48 },
  models: [
    { name: 'seasonal_naive', season: '1D' },
    { name: 'linear', alpha: 1 },
  ],
};

const settingsIn = (sub: string) =>
  settingsFromEnv({
    TWIGA_MLFLOW_TRACKING_URI: join(dir, sub, 'mlruns'),
    TWIGA_MODEL_CHECKPOINT_DIR: join(dir, sub, 'checkpoints'),
    TWIGA_MLFLOW_EXPERIMENT: 'fleet',
  });

async function runFolder(root: string, runId: string): Promise<string> {
  for (const exp of await readdir(root)) {
    const runs: string[] = await readdir(join(root, exp)).catch(() => []);
    if (runs.includes(runId)) return join(root, exp, runId);
  }
  throw new Error(`run ${runId} not found under ${root}`);
}

describe('fleetTrainingFlow', () => {
  it('per_series: one checkpoint and one child run per series under the parent run', async () => {
    const result = await fleetTrainingFlow({
      config: { ...CONFIG, data: { path: data } },
      runName: 'fleet-nightly',
      settings: settingsIn('a'),
      log: memoryLogSink(),
    });
    const ids = ['feeder-0000', 'feeder-0001', 'feeder-0002', 'feeder-0003'];
    expect(result.totals).toEqual({ models: 4, series: 4, skipped: 0 });
    expect(Object.keys(result.runs).sort()).toEqual(ids.map((id) => `twiga/${id}`));
    for (const id of ids) {
      expect(result.series[id]!.checkpoint_path).toBe(join(dir, 'a', 'checkpoints', 'twiga', id, 'v0001'));
      const run = await runFolder(join(dir, 'a', 'mlruns'), result.runs[`twiga/${id}`]!);
      expect(await readFile(join(run, 'tags', 'mlflow.parentRunId'), 'utf8')).toBe(result.mlflow_run_id);
      expect(await readFile(join(run, 'tags', 'twiga.series'), 'utf8')).toBe(id);
      expect(
        Number((await readFile(join(run, 'metrics', 'linear', 'mae'), 'utf8')).split(' ')[1]),
      ).toBeCloseTo(result.series[id]!.metrics['linear']!['mae']!, 6);
    }
    const parent = await runFolder(join(dir, 'a', 'mlruns'), result.mlflow_run_id);
    expect(await readdir(join(parent, 'metrics'))).toEqual(
      expect.arrayContaining(['fleet_mean', 'fleet_weighted']),
    );
    expect(result.aggregate.weighted['linear']!.mae!).toBeLessThan(
      result.aggregate.weighted['seasonal_naive_1D']!.mae!,
    );
  });

  it('twiga-edge train --id-col … --strategy global --static: one global checkpoint, one child run', async () => {
    const result = await runCliJson<{
      strategy: string;
      checkpoint_path: string;
      runs: Record<string, string>;
      mlflow_run_id: string;
      series: Record<string, unknown>;
    }>([
      'train',
      '--data',
      data,
      '--target',
      'net_load',
      '--id-col',
      'unique_id',
      '--strategy',
      'global',
      '--static',
      statics,
      '--horizon',
      '24',
      '--lookback',
      '48',
      '--models',
      'seasonal_naive:1D,linear,gbdt',
      '--checkpoints',
      join(dir, 'b', 'checkpoints'),
      '--name',
      'feeders',
      '--tracking-uri',
      join(dir, 'b', 'mlruns'),
    ]);
    expect(result.strategy).toBe('global');
    expect(result.checkpoint_path).toBe(join(dir, 'b', 'checkpoints', 'feeders', 'v0001'));
    expect(Object.keys(result.series)).toHaveLength(4);
    expect(Object.keys(result.runs)).toEqual(['feeders']);
    const pipeline = JSON.parse(
      await readFile(join(dir, 'b', 'checkpoints', 'feeders', 'v0001', 'pipeline.json'), 'utf8'),
    );
    expect(pipeline.global.id_column).toBe('unique_id');
    expect(pipeline.global.static_features).toEqual(['level', 'solar_share']);
    expect(pipeline.global.series.map((s: { id: string }) => s.id)).toHaveLength(4);
    expect(
      pipeline.layout.blocks
        .filter((b: { kind: string }) => b.kind === 'static')
        .map((b: { name: string }) => b.name),
    ).toEqual(['level', 'solar_share', '__series_code']);
  });
});
