/**
 * Real panel data: ETTh1's 7 columns melted into 7 series, day-ahead, 70/30 split. Per-series and global
 * linear and GBDT must beat the per-series one-day seasonal naive in aggregate; per-series metrics are
 * printed. A copy of the data with one series broken by a gap and one cut short checks the reporting.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { closeDuckDB, type FleetTrainingResult, memoryLogger, trainFleet } from '../../../src/node/index.js';
import { MemoryCheckpointStore } from '../../../src/runtime/index.js';
import type { TrainConfigInput } from '../../../src/runtime/schemas/train-config.js';
import { tempFiles } from '../data/fixtures.js';
import { COLUMNS, ETTH1 } from './etth1-fixture.js';

const files = tempFiles();
afterAll(async () => {
  await closeDuckDB();
  files.cleanup();
});

const GBDT = {
  name: 'gbdt',
  numTrees: 100,
  learningRate: 0.1,
  numLeaves: 15,
  maxDepth: 4,
  minDataInLeaf: 20,
  earlyStoppingRounds: 10,
} as const;

function config(path: string, strategy: 'per_series' | 'global', melt = COLUMNS): TrainConfigInput {
  // The accuracy cases calibrate on the validation tail alone: CV+ refits are the calibration case's job.
  return {
    data: { path, melt },
    // The README's lookback (168 h); every 2nd training window and a small GBDT keep the suite quick.
    pipeline: {
      target: 'y',
      timeColumn: 'date',
      idColumn: 'unique_id',
      horizon: 24,
      lookback: 168,
      trainStride: 2,
    },
    models: [{ name: 'seasonal_naive', season: '1D' }, { name: 'linear', alpha: 1 }, GBDT],
    train: { strategy, split: { testFraction: 0.3, valFraction: 0.1 }, conformal: { method: 'split' } },
  };
}

function print(label: string, r: FleetTrainingResult): void {
  const lines = [`${label}: MAE per series (seasonal_naive_1D / linear / gbdt)`];
  for (const [id, s] of Object.entries(r.series)) {
    const m = (k: string) => (s.metrics[k]?.['mae'] ?? Number.NaN).toFixed(3);
    lines.push(`  ${id.padEnd(5)} ${m('seasonal_naive_1D')} / ${m('linear')} / ${m('gbdt')}`);
  }
  const w = r.aggregate.weighted;
  lines.push(
    `  mean MAE ${['seasonal_naive_1D', 'linear', 'gbdt'].map((k) => r.aggregate.mean[k]?.mae?.toFixed(3)).join(' / ')}; ` +
      `volume-weighted MAE ${['seasonal_naive_1D', 'linear', 'gbdt'].map((k) => w[k]?.mae?.toFixed(3)).join(' / ')}; wins ${JSON.stringify(r.aggregate.wins)}`,
  );
  console.log(lines.join('\n'));
}

describe('ETTh1 melted into 7 series', () => {
  for (const strategy of ['per_series', 'global'] as const) {
    it(`${strategy}: linear and GBDT beat the one-day seasonal naive in aggregate`, {
      timeout: 600_000,
    }, async () => {
      const store = new MemoryCheckpointStore();
      const r = await trainFleet({ store, logger: memoryLogger(), config: config(ETTH1, strategy) });
      print(strategy, r);
      expect(Object.keys(r.series)).toEqual([...COLUMNS].sort());
      expect(r.skipped).toEqual([]);
      const { mean, weighted } = r.aggregate;
      for (const model of ['linear', 'gbdt']) {
        expect(mean[model]!.mae!).toBeLessThan(mean['seasonal_naive_1D']!.mae!);
        expect(weighted[model]!.mae!).toBeLessThan(weighted['seasonal_naive_1D']!.mae!);
        expect(weighted[model]!.wmape!).toBeLessThan(weighted['seasonal_naive_1D']!.wmape!);
      }
      expect(Object.values(r.aggregate.wins).reduce((a, b) => a + b, 0)).toBe(7);
      expect(r.aggregate.wins['seasonal_naive_1D']).toBeLessThan(4);
      const keys = (await store.list('twiga/')).filter((k) => k.endsWith('_checkpoint_manifest.json')).sort();
      if (strategy === 'per_series') {
        expect(keys).toEqual([...COLUMNS].sort().map((id) => `twiga/${id}/_checkpoint_manifest.json`));
      } else {
        expect(keys).toEqual(['twiga/_checkpoint_manifest.json']);
        expect(r.checkpoint_path).toMatch(/twiga\/v0001$/);
      }
    });
  }

  for (const strategy of ['per_series', 'global'] as const) {
    it(`${strategy}: each series is calibrated by cv_plus on its own rows, its 90 % coverage reported`, {
      timeout: 600_000,
    }, async () => {
      const store = new MemoryCheckpointStore();
      const base = config(ETTH1, strategy);
      const r = await trainFleet({
        store,
        logger: memoryLogger(),
        config: {
          ...base,
          models: [
            { name: 'seasonal_naive', season: '1D' },
            { name: 'linear', alpha: 1 },
          ],
          train: { ...base.train, conformal: { method: 'cv_plus', folds: 2 } },
        },
      });
      const lines = Object.entries(r.series).map(
        ([id, s]) => `  ${id.padEnd(5)} ${JSON.stringify(s.calibration?.coverage90)}`,
      );
      console.log(`${strategy} cv_plus, 90 % test coverage per series:\n${lines.join('\n')}`);
      for (const [id, s] of Object.entries(r.series)) {
        expect(s.calibration, id).toMatchObject({ method: 'cv-plus-absolute-residual', folds: 2 });
        expect(Object.keys(s.calibration!.coverage90).sort(), id).toEqual([
          'ensemble',
          'linear',
          'seasonal_naive_1D',
        ]);
        for (const c of Object.values(s.calibration!.coverage90)) expect(c, id).toBeGreaterThan(0.5);
      }
      // The tables recorded: one per series checkpoint, or one per series inside the global checkpoint.
      const pipelines =
        strategy === 'per_series'
          ? await Promise.all(COLUMNS.map((id) => store.get(`twiga/${id}/v0001/pipeline.json`)))
          : [await store.get('twiga/v0001/pipeline.json')];
      const methods = pipelines.flatMap((bytes) => {
        const p = JSON.parse(new TextDecoder().decode(bytes!.bytes)) as {
          conformal?: { method: string } | null;
          global?: { series: Array<{ conformal?: { method: string } | null }> };
        };
        return p.global ? p.global.series.map((s) => s.conformal?.method) : [p.conformal?.method];
      });
      expect(methods).toEqual(COLUMNS.map(() => 'cv-plus-absolute-residual'));
    });
  }

  it('reports a series with a gap (repaired) and one too short (skipped)', async () => {
    // A long-format copy: HUFL whole, OT with 5 hours removed, and SHORT = OT's last 50 hours.
    const lines = readFileSync(ETTH1, 'utf8').trimEnd().split('\n');
    const header = lines[0]!.split(',');
    const rows = lines.slice(1).map((l) => l.split(','));
    const col = (name: string) => header.indexOf(name);
    const long = ['unique_id,date,y'];
    for (const r of rows) long.push(`HUFL,${r[0]},${r[col('HUFL')]}`);
    for (const [i, r] of rows.entries()) if (i < 5000 || i >= 5005) long.push(`OT,${r[0]},${r[col('OT')]}`);
    for (const r of rows.slice(-50)) long.push(`SHORT,${r[0]},${r[col('OT')]}`);
    const path = files.file('etth1-long.csv', `${long.join('\n')}\n`);
    const r = await trainFleet({
      store: new MemoryCheckpointStore(),
      logger: memoryLogger(),
      config: {
        data: { path },
        pipeline: { target: 'y', timeColumn: 'date', idColumn: 'unique_id', horizon: 24, lookback: 48 },
        models: [
          { name: 'seasonal_naive', season: '1D' },
          { name: 'linear', alpha: 1 },
        ],
        train: { split: { testFraction: 0.3, valFraction: 0.1 } },
      },
    });
    expect(Object.keys(r.series)).toEqual(['HUFL', 'OT']);
    const gap = r.data.series['OT']!;
    expect(gap.gaps).toMatchObject({ count: 1, missingRows: 5 });
    expect(gap.actions.join('\n')).toMatch(/inserted 5 missing rows in 1 gap/);
    expect(r.data.series['HUFL']!.actions).toEqual([]);
    expect(r.skipped).toEqual([
      {
        id: 'SHORT',
        rows: 50,
        reason: expect.stringMatching(/training rows, fewer than the 72 a window needs/),
      },
    ]);
    console.log(`skipped: ${JSON.stringify(r.skipped)}\nOT repairs: ${gap.actions.join('; ')}`);
  });
});
