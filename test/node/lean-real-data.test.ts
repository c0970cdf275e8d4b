/**
 * Real inputs: models trained on ETTh1 (seasonal naive, linear, GBDT, with calendar features and exogenous lags)
 * forecast every test window bit for bit alike on the lean engine and on onnxruntime-web.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadData } from '../../src/node/data/load.js';
import { createNodeEngine } from '../../src/node/engine.js';
import { loadForecaster } from '../../src/node/load-forecaster.js';
import { memoryLogger } from '../../src/node/log.js';
import { train } from '../../src/node/train.js';
import { originsFrom } from '../../src/runtime/features/windows.js';
import { SHARED_DATA, tempFiles } from './data/fixtures.js';

const files = tempFiles();
afterAll(() => files.cleanup());
const root = join(files.dir, 'checkpoints');
const ETTH1 = join(SHARED_DATA, 'ETTh1.csv');

beforeAll(async () => {
  await train({
    logger: memoryLogger(),
    config: {
      data: { path: ETTH1 },
      pipeline: {
        target: 'OT',
        timeColumn: 'date',
        period: '1h',
        horizon: 24,
        lookback: 48,
        pastExogenous: ['HUFL', 'MUFL'],
      },
      models: [
        { name: 'seasonal_naive', season: '1D' },
        { name: 'linear', alpha: 1 },
        { name: 'gbdt', numTrees: 40, earlyStoppingRounds: 0 },
      ],
      train: { checkpointRoot: root, name: 'etth1' },
    },
  });
}, 300_000);

describe('ETTh1, lean vs ORT', () => {
  it('every window of the last 60 days: identical forecasts from every model', async () => {
    const lean = await loadForecaster(join(root, 'etth1'), { engine: createNodeEngine('lean') });
    const ort = await loadForecaster(join(root, 'etth1'), { engine: createNodeEngine('ort') });
    expect(Object.values(lean.forecaster.engines)).toEqual(['lean', 'lean', 'lean']);
    expect(Object.values(ort.forecaster.engines)).toEqual(['ort', 'ort', 'ort']);
    const { frame } = await loadData(ETTH1, {
      timeColumn: 'date',
      columns: ['OT', 'HUFL', 'MUFL'],
      period: '1h',
    });
    const all = originsFrom(frame.time.length, 48, {
      lookback: 48,
      horizon: 24,
      stride: 1,
      last: frame.time.length - 24,
    });
    const origins = all.slice(-60 * 24);
    const a = await lean.forecaster.predictOrigins(frame, origins);
    const b = await ort.forecaster.predictOrigins(frame, origins);
    expect(a.origins.length).toBeGreaterThan(1000);
    for (const label of Object.keys(b.predictions)) {
      expect(Array.from(a.predictions[label]!), label).toEqual(Array.from(b.predictions[label]!));
    }
  });
});
