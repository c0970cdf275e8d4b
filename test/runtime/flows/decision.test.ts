/** twiga's retraining decision, as the Node flow and the Workers cron both apply it. */
import { describe, expect, it } from 'vitest';
import type { DriftSummary } from '../../../src/runtime/drift/summary.js';
import {
  beatsIncumbent,
  driftDecision,
  metricValue,
  performanceDecision,
  retrainPolicy,
} from '../../../src/runtime/flows/decision.js';

const summary = (drifted: number, total: number) =>
  ({ n_drifted: drifted, total, dataset_drift_score: drifted / total }) as DriftSummary;

describe('retraining decision', () => {
  it('retrains on drift only when the drifted share is strictly above the threshold', () => {
    const policy = retrainPolicy({ driftThreshold: 0.5 });
    expect(driftDecision(summary(2, 3), policy)).toMatchObject({ retrain: true, reason: 'drift' });
    expect(driftDecision(summary(1, 2), policy)).toMatchObject({
      retrain: false,
      reason: 'within_thresholds',
    });
    expect(driftDecision(summary(1, 2), policy).detail).toBe(
      '1/2 columns drifted (share 0.500) ≤ drift threshold 0.5',
    );
  });

  it('checks performance against the threshold, minimising or maximising', () => {
    const mae = retrainPolicy({ performanceThreshold: 10 });
    expect(performanceDecision(10.5, mae)).toMatchObject({ retrain: true, reason: 'performance' });
    expect(performanceDecision(10, mae).retrain).toBe(false);
    const corr = retrainPolicy({ performanceThreshold: 0.8, metricKey: 'corr', minimize: false });
    expect(performanceDecision(0.79, corr).retrain).toBe(true);
    expect(performanceDecision(0.81, corr).retrain).toBe(false);
    expect(performanceDecision(99, retrainPolicy()).detail).toBe('no performance threshold set');
    expect(performanceDecision(null, mae)).toMatchObject({ retrain: false });
  });

  it('promotes only a strictly better candidate; anything defined beats a missing incumbent', () => {
    expect(beatsIncumbent(1, 2, { minimize: true })).toBe(true);
    expect(beatsIncumbent(2, 2, { minimize: true })).toBe(false);
    expect(beatsIncumbent(0.9, 0.8, { minimize: false })).toBe(true);
    expect(beatsIncumbent(3, undefined, { minimize: true })).toBe(true);
    expect(beatsIncumbent(null, undefined, { minimize: true })).toBe(false);
  });

  it('reads `mae` as the ensemble and `model/metric` as that model', () => {
    const metrics = { ensemble: { mae: 1.2, corr: null }, linear: { mae: 1.4 } };
    expect(metricValue(metrics, 'mae')).toBe(1.2);
    expect(metricValue(metrics, 'linear/mae')).toBe(1.4);
    expect(metricValue(metrics, 'corr')).toBeNull();
    expect(metricValue(metrics, 'gbdt/mae')).toBeNull();
  });

  it('names a bad policy field', () => {
    expect(() => retrainPolicy({ driftThreshold: 1.5 })).toThrow(/driftThreshold/);
  });
});
