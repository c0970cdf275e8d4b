/**
 * `npm run bench -- accuracy [etth1|pjme …] [--gbdt fast|default] [--methods split,cv_plus]`: every model × transform
 * (and each ensemble) on ETTh1 `OT` and PJME day-ahead under the reference protocol, with MAE, 90 % coverage and
 * training time, against the scikit-learn ridge-per-step reference of ../shared/data/README.md, the 90 % coverage
 * under each conformal calibration (`split`, `cv_plus`) and the whole training run's seconds under each. The GBDT
 * rows use {@link FAST_GBDT} unless `--gbdt default` (the model's defaults: 300 trees on every window, about 45
 * minutes a fit on PJME here). Writes bench/results/accuracy.json (datasets not run keep their previous entry).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluate } from '../src/node/evaluate.js';
import { createLogger } from '../src/node/log.js';
import { train } from '../src/node/train.js';
import type { ModelConfigInput } from '../src/runtime/schemas/model-config.js';
import { PROTOCOL } from '../test/node/conformal-protocol.js';
import { FAST_GBDT } from '../test/node/fast-gbdt.js';

const SHARED = fileURLToPath(new URL('../../shared/data/', import.meta.url));
const RESULTS = fileURLToPath(new URL('./results/accuracy.json', import.meta.url));

/** The reference protocol per dataset (70 % of rows train, forecasts every midnight after) and its reference MAE. */
const DATASETS = {
  etth1: { ...PROTOCOL.etth1, reference: 1.274 },
  pjme: { ...PROTOCOL.pjme, reference: 1361.1 },
} as const;

function models(gbdt: 'fast' | 'default'): ModelConfigInput[] {
  const trees = gbdt === 'fast' ? FAST_GBDT : {};
  return [
    { name: 'seasonal_naive', season: '1D' },
    { name: 'seasonal_naive', season: '7D' },
    { name: 'linear' },
    { name: 'gbdt', ...trees, transform: 'none', label: 'gbdt_none' },
    { name: 'gbdt', ...trees, transform: 'seasonal_residual', label: 'gbdt_seasonal_residual' },
    { name: 'gbdt', ...trees, transform: 'window_norm', label: 'gbdt_window_norm' },
    { name: 'mlp', transform: 'none', label: 'mlp_none' },
    { name: 'mlp', transform: 'seasonal_residual', label: 'mlp_seasonal_residual' },
    { name: 'mlp', transform: 'window_norm', label: 'mlp_window_norm' },
  ];
}
const ENSEMBLES = ['mean', 'median', 'weighted', 'best'] as const;

/** Calibrations compared: the validation tail alone, and four rolling origins pooled with it (the default). */
const METHODS = ['split', 'cv_plus'] as const;
type Method = (typeof METHODS)[number];

/** `[names…] [--gbdt fast|default] [--methods split,cv_plus]`. */
function parse(args: string[]) {
  const value = (name: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const gbdt = value('gbdt') ?? 'fast';
  if (gbdt !== 'fast' && gbdt !== 'default')
    throw new Error(`--gbdt: expected fast or default, got "${gbdt}"`);
  const methods = (value('methods') ?? METHODS.join(',')).split(',') as Method[];
  const bad = methods.find((m) => !METHODS.includes(m));
  if (bad !== undefined) throw new Error(`--methods: unknown "${bad}"; expected ${METHODS.join(', ')}`);
  const flagged = new Set(['--gbdt', '--methods', value('gbdt'), value('methods')]);
  const names = args.filter((a) => !flagged.has(a)) as (keyof typeof DATASETS)[];
  return { gbdt: gbdt as 'fast' | 'default', methods, names };
}

interface Row {
  model: string;
  mae: number;
  /** 90 % coverage on the test split per calibration method. */
  coverage90: Partial<Record<Method, number | null>>;
  train_seconds: number | null;
}

export async function run(args: string[]): Promise<void> {
  const opts = parse(args);
  const names = opts.names.length > 0 ? opts.names : (Object.keys(DATASETS) as (keyof typeof DATASETS)[]);
  const dir = mkdtempSync(join(tmpdir(), 'twiga-bench-accuracy-'));
  type Entry = {
    reference: number;
    gbdt: Record<string, unknown>;
    train_seconds: Record<string, number>;
    rows: Row[];
  };
  const out: Record<string, Entry> = existsSync(RESULTS)
    ? (JSON.parse(readFileSync(RESULTS, 'utf8')) as { datasets: Record<string, Entry> }).datasets
    : {};
  try {
    for (const name of names) {
      const d = DATASETS[name];
      if (!d) throw new Error(`unknown dataset "${name}"; expected ${Object.keys(DATASETS).join(', ')}`);
      const data = join(SHARED, d.file);
      const rows = new Map<string, Row>();
      const wall: Record<string, number> = {};
      for (const method of opts.methods) {
        const t0 = performance.now();
        const result = await train({
          logger: createLogger({ quiet: true }),
          config: {
            data: { path: data },
            pipeline: { target: d.target, timeColumn: d.time, horizon: 24, lookback: 168 },
            models: models(opts.gbdt),
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
              coverage90: {},
              train_seconds: seconds[model] ?? null,
            };
            row.coverage90[method] = report.intervals?.[model]?.['0.9']?.coverage ?? null;
            rows.set(key, row);
          }
        }
      }
      const fmt = (x: number | null) => (x ?? Number.NaN).toFixed(3).padStart(8);
      console.log(`\n${name}: day-ahead MAE; ratio = MAE / scikit-learn ridge per step (${d.reference})`);
      const ratio =
        wall['split'] && wall['cv_plus'] ? ` (ratio ${(wall['cv_plus'] / wall['split']).toFixed(2)})` : '';
      console.log(
        `whole training run: ${Object.entries(wall)
          .map(([m, s]) => `${m} ${s.toFixed(1)} s`)
          .join(', ')}${ratio}; gbdt ${opts.gbdt} ${JSON.stringify(opts.gbdt === 'fast' ? FAST_GBDT : {})}`,
      );
      console.log('model                              mae     ratio  cov90 split  cov90 cv+  train s');
      for (const r of rows.values()) {
        console.log(
          `${r.model.padEnd(28)} ${r.mae.toFixed(4).padStart(10)} ${(r.mae / d.reference).toFixed(3).padStart(8)} ` +
            `${fmt(r.coverage90.split ?? null).padStart(12)} ${fmt(r.coverage90.cv_plus ?? null).padStart(10)} ${r.train_seconds === null ? '       —' : r.train_seconds.toFixed(1).padStart(8)}`,
        );
      }
      out[name] = {
        reference: d.reference,
        gbdt: opts.gbdt === 'fast' ? { ...FAST_GBDT } : { settings: 'default' },
        train_seconds: wall,
        rows: [...rows.values()],
      };
      // Written after each dataset: a long run that is stopped keeps what it finished.
      mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
      writeFileSync(
        RESULTS,
        `${JSON.stringify({ protocol: '../shared/data/README.md', datasets: out }, null, 2)}\n`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
