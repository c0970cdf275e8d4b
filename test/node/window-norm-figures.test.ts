/**
 * `window_norm` under the reference protocol (issue 14): on PJME the cheap GBDT (`FAST_GBDT`) beats ridge per step's
 * 1361.1, and on both datasets the MLP under it beats the MLP under `seasonal_residual`; 90 % intervals calibrated.
 */
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../src/node/evaluate.js';
import { createLogger } from '../../src/node/log.js';
import { train } from '../../src/node/train.js';
import type { ModelConfigInput } from '../../src/runtime/schemas/model-config.js';
import { PROTOCOL } from './conformal-protocol.js';
import { SHARED_DATA, tempFiles } from './data/fixtures.js';
import { FAST_GBDT } from './fast-gbdt.js';

const files = tempFiles();
afterAll(() => files.cleanup());

/** MAE and 90 % coverage per model of one protocol fit (split conformal: cv_plus would refit four more times). */
async function protocolRun(dataset: keyof typeof PROTOCOL, models: ModelConfigInput[]) {
  const d = PROTOCOL[dataset];
  const data = join(SHARED_DATA, d.file);
  await train({
    logger: createLogger({ quiet: true }),
    config: {
      data: { path: data },
      pipeline: { target: d.target, timeColumn: d.time, horizon: 24, lookback: 168 },
      models,
      train: {
        checkpointRoot: files.dir,
        name: dataset,
        ensemble: 'weighted',
        split: { trainEnd: d.trainEnd, testStart: d.testStart },
        conformal: { method: 'split' },
      },
    },
  });
  const report = await evaluate({ checkpoint: join(files.dir, dataset), data, levels: [0.9] });
  const mae = (m: string) => report.metrics[m]!['mae']!;
  const coverage = (m: string) => report.intervals![m]!['0.9']!.coverage;
  return { mae, coverage };
}

const gbdt = { name: 'gbdt', ...FAST_GBDT, transform: 'window_norm', label: 'gbdt' } as const;
const mlp = { name: 'mlp', transform: 'window_norm', label: 'mlp' } as const;

describe('window_norm under the reference protocol', () => {
  it('PJME: the cheap GBDT beats ridge per step (1361.1); the MLP beats its seasonal_residual (1270.3)', async () => {
    const { mae, coverage } = await protocolRun('pjme', [{ name: 'linear' }, gbdt, mlp]);
    console.info(`PJME window_norm: gbdt ${mae('gbdt').toFixed(1)}, mlp ${mae('mlp').toFixed(1)}`);
    // Measured: gbdt 1341.1 (coverage 0.908, 358 s), mlp 1259.8 (0.924, 108 s), linear 1336.0, weighted ensemble
    // 1217.7 (0.920), under load ~5 on the shared 2-core machine.
    expect(mae('linear')).toBeCloseTo(1336.0, 0);
    expect(mae('gbdt')).toBeLessThan(1361.1);
    expect(mae('mlp')).toBeLessThan(1270.3);
    // Learned on validation: below each member and the reference.
    for (const m of ['linear', 'gbdt', 'mlp']) expect(mae('ensemble'), m).toBeLessThan(mae(m));
    expect(mae('ensemble')).toBeLessThan(1361.1);
    for (const m of ['gbdt', 'mlp', 'ensemble']) {
      expect(coverage(m), m).toBeGreaterThanOrEqual(0.85);
      expect(coverage(m), m).toBeLessThanOrEqual(0.95);
    }
  }, 1_800_000);

  it('ETTh1: the MLP beats its seasonal_residual (1.4959); the cheap GBDT stays below untransformed trees', async () => {
    const { mae, coverage } = await protocolRun('etth1', [gbdt, mlp]);
    // Measured: mlp 1.4311 (coverage 0.909), gbdt 1.7857 (0.910): worse than seasonal_residual's 1.5909 here,
    // better than transform none (2.8005 with FAST_GBDT).
    expect(mae('mlp')).toBeLessThan(1.4959);
    expect(mae('gbdt')).toBeLessThan(2.349);
    for (const m of ['gbdt', 'mlp']) {
      expect(coverage(m), m).toBeGreaterThanOrEqual(0.85);
      expect(coverage(m), m).toBeLessThanOrEqual(0.95);
    }
  }, 900_000);
});
