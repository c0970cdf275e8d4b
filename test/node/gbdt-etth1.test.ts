/** ETTh1 day-ahead GBDT with default settings: the seasonal-residual transform carries the gain (issue 14). */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliJson } from './cli-run.js';
import { SHARED_DATA, tempFiles } from './data/fixtures.js';

const files = tempFiles();
afterAll(() => files.cleanup());

describe('ETTh1 OT, --models gbdt (protocol of ../shared/data/README.md)', () => {
  it('beats the untransformed trees (2.349) and the one-day seasonal naive, intervals calibrated', async () => {
    const data = join(SHARED_DATA, 'ETTh1.csv');
    const checkpoints = join(files.dir, 'checkpoints');
    await runCliJson([
      'train',
      ...['--data', data, '--target', 'OT', '--time-col', 'date', '--horizon', '24', '--lookback', '168'],
      ...['--train-end', '2017-11-21T01:00', '--test-start', '2017-11-22', '--models', 'gbdt'],
      ...['--checkpoints', checkpoints, '--name', 'gbdt'],
    ]);
    const { metrics, intervals } = await runCliJson<{
      metrics: Record<string, Record<string, number>>;
      intervals: Record<string, Record<string, { coverage: number }>>;
    }>(['evaluate', '--checkpoint', join(checkpoints, 'gbdt'), '--data', data]);
    // Measured: 1.592 with the default transform (auto → seasonal_residual, 1 day), 2.340 with transform none;
    // 90 % coverage 0.881 under cv_plus with folds on the second half (0.866 under split); asserted here under
    // the default (folds over the whole span), which passed.
    expect(metrics['gbdt']!['mae']).toBeLessThan(1.646);
    const coverage = intervals['gbdt']!['0.9']!.coverage;
    expect(coverage).toBeGreaterThanOrEqual(0.85);
    expect(coverage).toBeLessThanOrEqual(0.95);
  }, 600_000); // 48 boosters on 10,784 windows × 240 features: ~70 s alone, minutes beside the other test files
});
