/**
 * trackRunRecord (the Worker's `track` step, platform-free) against the RECORDING STAND-IN for an MLflow
 * server (test/edge/mlflow-stand-in.ts, node:http on 127.0.0.1): a promoted run's scores arrive as
 * `candidate/<metric>` and `incumbent/<metric>`, and tracking the same record twice adds no second run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../../src/runtime/retrain/run-record.js';
import { INSTANCE_TAG, trackRunRecord } from '../../../src/runtime/retrain/track-run.js';
import { HttpTracker } from '../../../src/runtime/tracking/http.js';
import { startMlflowStandIn } from '../../edge/mlflow-stand-in.js';

let standIn: Awaited<ReturnType<typeof startMlflowStandIn>>;
beforeAll(async () => {
  standIn = await startMlflowStandIn();
});
afterAll(() => standIn.close());

const record: RunRecord = {
  id: 'feeder-0007_v3_2024-03-01T00-00-00Z',
  model: 'feeder-0007',
  outcome: 'promoted',
  reason: 'drift',
  detail: 'candidate v4 beats the incumbent',
  incumbent_version: 3,
  promoted_version: 4,
  metrics: { candidate: 21.5, incumbent: 25.25 },
  steps: [
    { name: 'load-incumbent', ms: 3, attempts: 1 },
    { name: 'fit', ms: 120, attempts: 2 },
  ],
  started_at: '2024-03-01T00:00:00.000Z',
  finished_at: '2024-03-01T00:00:01.000Z',
};

describe('trackRunRecord', () => {
  it('logs versions, candidate and incumbent metrics and step timings, once per instance', async () => {
    const tracker = new HttpTracker({ uri: standIn.uri, fetch });
    const first = await trackRunRecord(tracker, record, { experiment: 'fleet', metricKey: 'mae' });
    expect(first.resumed).toBe(false);
    const again = await trackRunRecord(tracker, record, { experiment: 'fleet', metricKey: 'mae' });
    expect(again).toEqual({ runId: first.runId, resumed: true });
    const runs = standIn.state.runs.filter((r) => r.tags[INSTANCE_TAG] === record.id);
    expect(runs).toHaveLength(1);
    const [run] = runs;
    expect(run!.info.status).toBe('FINISHED');
    expect(run!.tags).toMatchObject({
      'mlflow.user': 'twiga-edge',
      'twiga.model': 'feeder-0007',
      'twiga.outcome': 'promoted',
      'twiga.incumbent_version': '3',
      'twiga.promoted_version': '4',
    });
    expect(Object.fromEntries(run!.metrics.map((m) => [m.key, m.value]))).toEqual({
      'candidate/mae': 21.5,
      'incumbent/mae': 25.25,
      'step/load-incumbent/ms': 3,
      'step/load-incumbent/attempts': 1,
      'step/fit/ms': 120,
      'step/fit/attempts': 2,
    });
    expect(standIn.state.experiments).toHaveProperty('fleet');
  });
});
