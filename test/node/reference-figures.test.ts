/** PJME day-ahead through the real CLI: the loader's repairs, and linear against the reference figures. */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliJson } from './cli-run.js';
import { protocolFit } from './conformal-protocol.js';
import { SHARED_DATA, tempFiles } from './data/fixtures.js';

const files = tempFiles();
afterAll(() => files.cleanup());
type Metrics = Record<string, Record<string, number>>;

describe('PJME day-ahead (protocol of ../shared/data/README.md)', () => {
  it('linear beats the better seasonal naive and matches the ridge reference (1361.1) within 2 %; the weighted ensemble beats the reference', async () => {
    const data = join(SHARED_DATA, 'PJME_hourly.csv');
    // 70 % of the 145,392 repaired rows end at 2013-08-11 14:00; forecasts start at every midnight after.
    // The same fit as conformal-pjme.test.ts's (default models, weighted ensemble): trained once per run.
    const checkpoint = await protocolFit('pjme');
    const { metrics, points, intervals } = await runCliJson<{
      metrics: Metrics;
      points: number;
      intervals: Record<string, Record<string, { coverage: number }>>;
    }>(['evaluate', ...['--checkpoint', checkpoint, '--data', data]]);
    expect(points).toBe(43_608);
    expect(metrics['seasonal_naive_1D']!['mae']).toBeCloseTo(2226.5, 0);
    expect(metrics['seasonal_naive_7D']!['mae']).toBeCloseTo(3308.8, 0);
    const best = Math.min(metrics['seasonal_naive_1D']!['mae']!, metrics['seasonal_naive_7D']!['mae']!);
    expect(metrics['linear']!['mae']).toBeLessThan(best);
    expect(Math.abs(metrics['linear']!['mae']! / 1361.1 - 1)).toBeLessThan(0.02);
    // 90 % conformal intervals (cv_plus, the default) cover 85–95 % of the test points
    expect(intervals['linear']!['0.9']!.coverage).toBeGreaterThanOrEqual(0.85);
    expect(intervals['linear']!['0.9']!.coverage).toBeLessThanOrEqual(0.95);
    // The ensemble learned on validation (NNLS per step): measured 1348.8 and 0.917 coverage (0.912 under
    // `split`), where the plain mean of the three models is 1853.9.
    expect(metrics['ensemble']!['mae']).toBeLessThan(1361.1);
    expect(intervals['ensemble']!['0.9']!.coverage).toBeGreaterThanOrEqual(0.85);
    expect(intervals['ensemble']!['0.9']!.coverage).toBeLessThanOrEqual(0.95);
  }, 900_000); // the fit, or waiting for conformal-pjme.test.ts's: 145,392 rows, ridge and four fold refits
});

describe('twiga-edge demo', () => {
  it('makes data, runs the training flow, forecasts, checks drift and runs the retraining flow', async () => {
    const { runCli } = await import('./cli-run.js');
    const r = await runCli(['demo', '--dir', join(files.dir, 'demo'), '--days', '60']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Checkpoint v1 saved to .*net-load\/v0001/);
    expect(r.stdout).toMatch(/^linear\s+\d/m);
    expect(r.stdout).toMatch(/Forecast for \d{4}-\d{2}-\d{2} \(every 2 h/);
    expect(r.stdout.match(/^\d{4}-\d{2}-\d{2} \d{2}:00 /gm)).toHaveLength(12);
    expect(r.stdout).toMatch(/Drift of the last week against the training data: \d of 3 columns drifted/);
    expect(r.stdout).toMatch(/Drift report: .*\.html/);
    expect(r.stdout).toMatch(/Checkpoint v1 saved to .* \(tracking run [0-9a-f]{32}\)/);
    // 60 days of winter, then four weeks of spring: the flow sees drift, retrains, and the candidate wins.
    expect(r.stdout).toMatch(
      /Retraining flow on the next 28 days .*\n {2}decision: retrain \(drift\) — 2\/3 columns drifted/,
    );
    const [, candidate, incumbent] = /candidate \(retrained\)\s+([\d.]+)\n\s+incumbent v1\s+([\d.]+)/.exec(
      r.stdout,
    )!;
    expect(Number(candidate)).toBeLessThan(Number(incumbent));
    expect(r.stdout).toMatch(/promoted: version 2 is now active \(.*net-load\/v0002\), run [0-9a-f]{32}/);
    expect(r.stdout).toMatch(/Tracking: .*mlruns/);
  });
});
