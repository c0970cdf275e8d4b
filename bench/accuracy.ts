/**
 * `npm run bench -- accuracy [etth1|pjme …]`: every model × transform (and each ensemble) on ETTh1 `OT` and PJME
 * day-ahead under the reference protocol, with MAE, 90 % coverage and training time, against the scikit-learn
 * ridge-per-step reference of ../shared/data/README.md, the 90 % coverage under each conformal calibration (`split`,
 * `cv_plus`) and the whole training run's seconds under each. Writes bench/results/accuracy.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluate } from '../src/node/evaluate.js';
import { createLogger } from '../src/node/log.js';
import { train } from '../src/node/train.js';
import type { ModelConfigInput } from '../src/runtime/schemas/model-config.js';

const SHARED = fileURLToPath(new URL('../../shared/data/', import.meta.url));
const RESULTS = fileURLToPath(new URL('./results/accuracy.json', import.meta.url));

/** The reference protocol per dataset: 70 % of rows train, forecasts every midnight after. */
const DATASETS = {
  etth1: {
    file: 'ETTh1.csv',
    target: 'OT',
    time: 'date',
    trainEnd: '2017-11-21T01:00',
    testStart: '2017-11-22',
    reference: 1.274,
  },
  pjme: {
    file: 'PJME_hourly.csv',
    target: 'PJME_MW',
    time: 'Datetime',
    trainEnd: '2013-08-11T14:00',
    testStart: '2013-08-12',
    reference: 1361.1,
  },
} as const;

const MODELS: ModelConfigInput[] = [
  { name: 'seasonal_naive', season: '1D' },
  { name: 'seasonal_naive', season: '7D' },
  { name: 'linear' },
  { name: 'gbdt', transform: 'none', label: 'gbdt_none' },
  { name: 'gbdt', transform: 'seasonal_residual', label: 'gbdt_seasonal_residual' },
  { name: 'mlp', transform: 'none', label: 'mlp_none' },
  { name: 'mlp', transform: 'seasonal_residual', label: 'mlp_seasonal_residual' },
];
const ENSEMBLES = ['mean', 'median', 'weighted', 'best'] as const;

/** Calibrations compared: the validation tail alone, and four rolling origins pooled with it (the default). */
const METHODS = ['split', 'cv_plus'] as const;

interface Row {
  model: string;
  mae: number;
  /** 90 % coverage on the test split per calibration method. */
  coverage90: Record<(typeof METHODS)[number], number | null>;
  train_seconds: number | null;
}

export async function run(args: string[]): Promise<void> {
  const names = (args.length > 0 ? args : Object.keys(DATASETS)) as (keyof typeof DATASETS)[];
  const dir = mkdtempSync(join(tmpdir(), 'twiga-bench-accuracy-'));
  const out: Record<string, { reference: number; train_seconds: Record<string, number>; rows: Row[] }> = {};
  try {
    for (const name of names) {
      const d = DATASETS[name];
      if (!d) throw new Error(`unknown dataset "${name}"; expected ${Object.keys(DATASETS).join(', ')}`);
      const data = join(SHARED, d.file);
      const rows = new Map<string, Row>();
      const wall: Record<string, number> = {};
      for (const method of METHODS) {
        const t0 = performance.now();
        const result = await train({
          logger: createLogger({ quiet: true }),
          config: {
            data: { path: data },
            pipeline: { target: d.target, timeColumn: d.time, horizon: 24, lookback: 168 },
            models: MODELS,
            train: {
              checkpointRoot: dir,
              name: `${name}-${method}`,
              ensemble: 'weighted',
              split: { trainEnd: d.trainEnd, testStart: d.testStart },
              conformal: { method },
            },
          },
        });
        wall[method] = (performance.now() - t0) / 1000;
        const seconds = Object.fromEntries(result.models.map((m) => [m.label, m.seconds]));
        for (const ensemble of ENSEMBLES) {
          const checkpoint = join(dir, `${name}-${method}`);
          const report = await evaluate({ checkpoint, data, ensemble, levels: [0.9] });
          for (const [model, m] of Object.entries(report.metrics)) {
            if (model !== 'ensemble' && ensemble !== 'mean') continue; // members are the same under every strategy
            const key = model === 'ensemble' ? `ensemble (${ensemble})` : model;
            const row = rows.get(key) ?? {
              model: key,
              mae: m.mae ?? Number.NaN,
              coverage90: { split: null, cv_plus: null },
              train_seconds: seconds[model] ?? null,
            };
            row.coverage90[method] = report.intervals?.[model]?.['0.9']?.coverage ?? null;
            rows.set(key, row);
          }
        }
      }
      const fmt = (x: number | null) => (x ?? Number.NaN).toFixed(3).padStart(8);
      console.log(`\n${name}: day-ahead MAE; ratio = MAE / scikit-learn ridge per step (${d.reference})`);
      console.log(
        `whole training run: split ${wall['split']!.toFixed(1)} s, cv_plus ${wall['cv_plus']!.toFixed(1)} s (ratio ${(wall['cv_plus']! / wall['split']!).toFixed(2)})`,
      );
      console.log('model                              mae     ratio  cov90 split  cov90 cv+  train s');
      for (const r of rows.values()) {
        console.log(
          `${r.model.padEnd(28)} ${r.mae.toFixed(4).padStart(10)} ${(r.mae / d.reference).toFixed(3).padStart(8)} ` +
            `${fmt(r.coverage90.split).padStart(12)} ${fmt(r.coverage90.cv_plus).padStart(10)} ${r.train_seconds === null ? '       —' : r.train_seconds.toFixed(1).padStart(8)}`,
        );
      }
      out[name] = { reference: d.reference, train_seconds: wall, rows: [...rows.values()] };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
  writeFileSync(
    RESULTS,
    `${JSON.stringify({ protocol: '../shared/data/README.md', datasets: out }, null, 2)}\n`,
  );
}
