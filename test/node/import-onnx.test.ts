/** Bring your own ONNX: models from a different writer, wrapped in a checkpoint and served by the same engine. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importOnnx } from '../../src/node/import-onnx.js';
import { loadForecaster } from '../../src/node/load-forecaster.js';
import type { Frame } from '../../src/runtime/frame.js';
import { runCli } from './cli-run.js';
import { tempFiles } from './data/fixtures.js';
import { gemmModel, treeEnsembleModel } from './foreign-onnx.js';

const files = tempFiles();
afterAll(() => files.cleanup());

// Pipeline: lookback 3 lags of y, horizon 2, no calendar → features [y(t-3), y(t-2), y(t-1)].
const pipeline = { target: 'y', period: '1h', horizon: 2, lookback: 3, calendar: [] };
const tree = treeEnsembleModel(
  3,
  2,
  [
    { target: 0, feature: 2, threshold: 0.5, left: 10, right: 20 }, // step 1: y(t-1) ≤ 0.5 ? 10 : 20
    { target: 1, feature: 0, threshold: 1.5, left: -1, right: 1 }, // step 2: y(t-3) ≤ 1.5 ? −1 : 1
  ],
  [0, 100],
);
const gemm = gemmModel(
  [
    [1, 0],
    [0, 2],
    [3, 0],
  ],
  [0.5, -0.5],
);

describe('importOnnx', () => {
  it('wraps foreign tree-ensemble and linear models and forecasts through them', async () => {
    writeFileSync(join(files.dir, 'lgbm.onnx'), tree);
    writeFileSync(join(files.dir, 'ridge.onnx'), gemm);
    const specPath = files.file(
      'spec.json',
      JSON.stringify({
        pipeline,
        models: [
          { file: 'lgbm.onnx', label: 'lightgbm', kind: 'lightgbm' },
          { file: 'ridge.onnx', label: 'ridge', kind: 'ridge', input: 'float_input', output: 'variable' },
        ],
      }),
    );
    const saved = await importOnnx({ spec: specPath, checkpoints: join(files.dir, 'ck'), name: 'byo' });
    expect(saved).toMatchObject({ version: 1, models: ['lightgbm', 'ridge'] });

    const { forecaster } = await loadForecaster(join(files.dir, 'ck', 'byo'));
    const t0 = Date.UTC(2024, 0, 1);
    // history y = 2, 0, 1 → features [2, 0, 1]
    const frame: Frame = {
      time: Float64Array.from([0, 1, 2], (i) => t0 + i * 3_600_000),
      columns: { y: Float64Array.from([2, 0, 1]) },
    };
    const batch = await forecaster.predictLatest(frame);
    // tree: step 1: 1 > 0.5 → 20 (+0); step 2: 2 > 1.5 → 1 (+100)
    expect(Array.from(batch.predictions['lightgbm']!)).toEqual([20, 101]);
    // gemm: [2,0,1]·W + b = [2·1 + 1·3 + 0.5, 0·2 − 0.5] = [5.5, −0.5]
    expect(Array.from(batch.predictions['ridge']!)).toEqual([5.5, -0.5]);
    expect(Array.from(batch.predictions['ensemble']!)).toEqual([12.75, 50.25]);
  });

  it('refuses a model whose output does not fit the pipeline, naming both sizes', async () => {
    writeFileSync(join(files.dir, 'wide.onnx'), gemmModel([[1, 1, 1]], [0, 0, 0]));
    await expect(
      importOnnx({
        spec: {
          pipeline: { ...pipeline, lookback: 1 },
          models: [{ file: join(files.dir, 'wide.onnx'), label: 'wide' }],
        },
        checkpoints: join(files.dir, 'ck'),
        name: 'bad',
      }),
    ).rejects.toThrow(
      'model "wide" returns 3 values per row; the pipeline needs horizon × targets = 2 × 1 = 2 (input: 1 features)',
    );
  });

  it('runs from the CLI and reports a bad spec by field', async () => {
    const bad = files.file(
      'bad.json',
      JSON.stringify({ pipeline: { target: 'y', horizon: -2 }, models: [] }),
    );
    const r = await runCli([
      'import-onnx',
      '--spec',
      bad,
      '--checkpoints',
      join(files.dir, 'ck'),
      '--name',
      'x',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pipeline\.horizon: /);
    expect(r.stderr).toMatch(/models: Too small/);
  });
});
