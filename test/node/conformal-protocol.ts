/** The reference protocol of ../shared/data/README.md: one fit per run, then the 90 % coverage of every model and ensemble. */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { evaluate } from '../../src/node/evaluate.js';
import type { ConformalConfig } from '../../src/runtime/schemas/forecaster-config.js';
import type { ModelConfigInput } from '../../src/runtime/schemas/model-config.js';
import type { TrainConfigInput } from '../../src/runtime/schemas/train-config.js';
import { runCliJson } from './cli-run.js';
import { SHARED_DATA } from './data/fixtures.js';
import { sharedFit } from './shared-fit.js';

/** Day-ahead, one week of lookback, 70 % of the rows train, forecasts at every midnight after. */
export const PROTOCOL = {
  etth1: {
    file: 'ETTh1.csv',
    target: 'OT',
    time: 'date',
    trainEnd: '2017-11-21T01:00',
    testStart: '2017-11-22',
  },
  pjme: {
    file: 'PJME_hourly.csv',
    target: 'PJME_MW',
    time: 'Datetime',
    trainEnd: '2013-08-11T14:00',
    testStart: '2013-08-12',
  },
} as const;

/** The seasonal naives and ridge: the members of the reference ensembles (docs/benchmarks.md). */
export const REFERENCE_MODELS: ModelConfigInput[] = [
  { name: 'seasonal_naive', season: '1D' },
  { name: 'seasonal_naive', season: '7D' },
  { name: 'linear' },
];

/**
 * GBDT untransformed, small boosters (80 trees at rate 0.1) that still show the trees' failure on levels they did not
 * see (docs/evaluation.md), and GBDT with every setting at its default (`--models gbdt`, transform `auto`).
 */
export const GBDT_MODELS: ModelConfigInput[] = [
  { name: 'gbdt', label: 'gbdt_none', transform: 'none', numTrees: 80, learningRate: 0.1 },
  { name: 'gbdt' },
];

/** Every ensemble strategy's key in `coverage90`'s result. */
export const ENSEMBLE_KEYS = ['mean', 'median', 'weighted', 'best'].map((s) => `ensemble (${s})`);

/**
 * The protocol's checkpoint (`<dir>/<dataset>`) of `models` under the weighted ensemble, trained by the real CLI
 * once per run (test/node/shared-fit.ts): the files asserting figures of the same fit read this one.
 */
export function protocolFit(
  dataset: keyof typeof PROTOCOL,
  models: ModelConfigInput[] = REFERENCE_MODELS,
  conformal?: Partial<ConformalConfig>,
): Promise<string> {
  const d = PROTOCOL[dataset];
  const config: TrainConfigInput = {
    data: { path: join(SHARED_DATA, d.file) },
    pipeline: { target: d.target, timeColumn: d.time, horizon: 24, lookback: 168 },
    models,
    train: {
      ensemble: 'weighted',
      split: { trainEnd: d.trainEnd, testStart: d.testStart },
      ...(conformal ? { conformal } : {}),
    },
  };
  return sharedFit(config, async (dir) => {
    const file = join(dir, 'config.json');
    await writeFile(file, JSON.stringify(config));
    await runCliJson(['train', '--config', file, '--checkpoints', dir, '--name', dataset]);
  }).then((dir) => join(dir, dataset));
}

/** Test-split 90 % coverage per model, and per ensemble strategy as `ensemble (S)`; plus the stored table method. */
export async function coverage90(
  dataset: keyof typeof PROTOCOL,
  models: ModelConfigInput[],
  conformal?: Partial<ConformalConfig>,
): Promise<{
  coverage: Record<string, number>;
  /** Test-split MAE per model (and `ensemble`, the checkpoint's weighted one). */
  mae: Record<string, number>;
  method: string;
  folds: number | undefined;
  span: string | undefined;
}> {
  const checkpoint = await protocolFit(dataset, models, conformal);
  const data = join(SHARED_DATA, PROTOCOL[dataset].file);
  const coverage: Record<string, number> = {};
  const mae: Record<string, number> = {};
  for (const ensemble of ['mean', 'median', 'weighted', 'best'] as const) {
    const report = await evaluate({ checkpoint, data, ensemble, levels: [0.9] });
    if (ensemble === 'weighted')
      for (const [m, byName] of Object.entries(report.metrics)) mae[m] = byName['mae'] ?? Number.NaN;
    for (const [model, byLevel] of Object.entries(report.intervals ?? {})) {
      if (model === 'ensemble') coverage[`ensemble (${ensemble})`] = byLevel['0.9']!.coverage;
      else if (ensemble === 'mean') coverage[model] = byLevel['0.9']!.coverage;
    }
  }
  const pipeline = JSON.parse(readFileSync(join(checkpoint, 'v0001', 'pipeline.json'), 'utf8')) as {
    conformal: { method: string; folds?: number; fold_span?: string };
  };
  const { method, folds, fold_span: span } = pipeline.conformal;
  return { coverage, mae, method, folds, span };
}
