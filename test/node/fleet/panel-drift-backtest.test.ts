/**
 * Drift and backtests per series on real panel data (ETTh1's 7 columns melted into 7 series): one drift
 * summary per series plus the fleet counts — against a reference panel, and against a global checkpoint's
 * own per-series samples — and a rolling-origin backtest per series plus the aggregate. Each series'
 * figures equal the single-series command run on that column alone; the CLI prints the same.
 */
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backtest } from '../../../src/node/backtest.js';
import { backtestFleet, type FleetBacktestResult } from '../../../src/node/backtest-fleet.js';
import { closeDuckDB } from '../../../src/node/data/index.js';
import { runDrift } from '../../../src/node/drift.js';
import { type PanelDriftResult, runPanelDrift } from '../../../src/node/drift-panel.js';
import { FsCheckpointStore } from '../../../src/node/fs-store.js';
import { memoryLogger } from '../../../src/node/log.js';
import { trainFleet } from '../../../src/node/train-fleet.js';
import { runCliJson } from '../cli-run.js';
import { tempFiles } from '../data/fixtures.js';
import { COLUMNS, etth1Windows } from './etth1-fixture.js';

const files = tempFiles();
let first: string;
let recent: string;
beforeAll(async () => {
  ({ first, recent } = await etth1Windows(files));
});
afterAll(async () => {
  await closeDuckDB();
  files.cleanup();
});

function expectCounts(r: PanelDriftResult): void {
  const drifted = Object.entries(r.series)
    .filter(([, s]) => s.dataset_drift)
    .map(([id]) => id);
  expect(r.fleet).toEqual({
    series: 7,
    drifted: drifted.length,
    share: drifted.length / 7,
    drifted_series: drifted,
  });
}

describe('drift per series', () => {
  it('against a reference panel: one summary per series, each as the single-series drift of that column', async () => {
    const r = await runPanelDrift({
      reference: first,
      current: recent,
      idColumn: 'unique_id',
      melt: COLUMNS,
      timeColumn: 'date',
    });
    expect(Object.keys(r.series).sort()).toEqual([...COLUMNS].sort());
    expectCounts(r);
    for (const column of ['OT', 'HUFL']) {
      const alone = await runDrift({
        reference: first,
        current: recent,
        columns: [column],
        timeColumn: 'date',
      });
      expect(r.series[column]!.columns['value']!.score).toBeCloseTo(alone.columns[column]!.score, 12);
      expect(r.series[column]!.dataset_drift).toBe(alone.dataset_drift);
    }
  }, 120_000);

  it("against a global checkpoint's per-series samples, in the library and the CLI", async () => {
    const root = join(files.dir, 'ckpt');
    await trainFleet({
      store: new FsCheckpointStore(root),
      logger: memoryLogger(),
      config: {
        data: { path: first, melt: COLUMNS },
        pipeline: { target: 'y', timeColumn: 'date', idColumn: 'unique_id', horizon: 24, lookback: 48 },
        models: [{ name: 'linear', alpha: 1 }],
        train: { strategy: 'global', name: 'ett', split: { testFraction: 0.2, valFraction: 0.1 } },
      },
    });
    const reference = JSON.parse(await readFile(join(root, 'ett', 'v0001', 'reference.json'), 'utf8'));
    expect(Object.keys(reference.series_drift).sort()).toEqual([...COLUMNS].sort());
    const options = { reference: join(root, 'ett'), current: recent, idColumn: 'unique_id', melt: COLUMNS };
    const r = await runPanelDrift(options);
    expect(Object.keys(r.series).sort()).toEqual([...COLUMNS].sort());
    for (const s of Object.values(r.series)) expect(Object.keys(s.columns)).toEqual(['y']);
    expectCounts(r);
    // Each series against its own sample, not the pool: the scores differ from series to series.
    expect(new Set(Object.values(r.series).map((s) => s.columns['y']!.score)).size).toBe(7);

    const cli = await runCliJson<PanelDriftResult>([
      'drift',
      ...['--reference', options.reference, '--current', recent],
      ...['--id-col', 'unique_id', '--melt', COLUMNS.join(',')],
    ]);
    expect(cli.fleet).toEqual(r.fleet);
  }, 300_000);

  it('writes one fleet HTML page naming every series and its verdict, linking each series report', async () => {
    const reportDir = join(files.dir, 'reports');
    const r = await runPanelDrift({
      reference: first,
      current: recent,
      idColumn: 'unique_id',
      melt: COLUMNS,
      timeColumn: 'date',
      reportDir,
    });
    expect(r.report_path).not.toBeNull();
    expect(dirname(r.report_path!)).toBe(reportDir);
    const html = await readFile(r.report_path!, 'utf8');
    const table = html.slice(
      html.indexOf('<caption>Series</caption>'),
      html.indexOf('</table>', html.indexOf('<caption>Series</caption>')),
    );
    const rows = table.split('<tr>').slice(2);
    expect(rows).toHaveLength(COLUMNS.length);
    for (const id of COLUMNS) {
      const line = rows.find((row) => row.includes(`>${id}</a>`))!;
      expect(line, id).toBeDefined();
      // The verdict in the row is the series' own, and its link opens that series' report.
      expect(line).toContain(r.series[id]!.dataset_drift ? '▲ </span>Drift' : '✓ </span>No drift');
      const own = r.series[id]!.report_path!;
      expect(basename(own)).toMatch(new RegExp(`^${id}_data_drift_`));
      expect(line).toContain(`href="${basename(own)}"`);
      expect(readdirSync(reportDir)).toContain(basename(own));
      expect(html).toContain(`unique_id = ${id}`);
    }
    expect(html).toContain(`${r.fleet.drifted} of 7 series drifted`);
  }, 120_000);
});

describe('backtest per series', () => {
  const folds = { trainSize: '60D', testSize: '14D', maxFolds: 2 };
  const pipeline = { timeColumn: 'date', horizon: 24, lookback: 48 };
  const models = [
    { name: 'seasonal_naive' as const, season: '1D' },
    { name: 'linear' as const, alpha: 1 },
  ];

  it('every series on the same folds, aggregated; a series equals the single-series backtest of its column', async () => {
    const r = await backtestFleet({
      config: {
        data: { path: first, melt: COLUMNS },
        pipeline: { ...pipeline, target: 'y', idColumn: 'unique_id' },
        models,
      },
      backtest: folds,
      logger: memoryLogger(),
    });
    expect(Object.keys(r.series).sort()).toEqual([...COLUMNS].sort());
    expect(r.aggregate.series).toBe(7);
    expect(Object.values(r.aggregate.wins).reduce((a, b) => a + b, 0)).toBe(7);
    for (const s of Object.values(r.series)) expect(s.folds).toHaveLength(2);
    const alone = await backtest({
      config: { data: { path: first }, pipeline: { ...pipeline, target: 'OT' }, models },
      backtest: folds,
      logger: memoryLogger(),
    });
    expect(r.series['OT']!.folds.map((f) => f.test_start)).toEqual(alone.folds.map((f) => f.test_start));
    expect(r.series['OT']!.mean['linear']!['mae']!).toBeCloseTo(alone.mean['linear']!['mae']!, 6);

    const cli = await runCliJson<FleetBacktestResult>([
      'backtest',
      ...[
        '--data',
        first,
        '--target',
        'y',
        '--time-col',
        'date',
        '--id-col',
        'unique_id',
        '--melt',
        COLUMNS.join(','),
      ],
      ...['--horizon', '24', '--lookback', '48', '--models', 'seasonal_naive,linear'],
      ...['--train-size', '60D', '--test-size', '14D', '--max-folds', '2'],
    ]);
    expect(Object.keys(cli.series).sort()).toEqual([...COLUMNS].sort());
    expect(cli.aggregate.series).toBe(7);
  }, 300_000);
});
