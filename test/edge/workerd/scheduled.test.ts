/**
 * The cron handler inside workerd: recent data from R2 → DriftSummary + HTML report written back to R2, and
 * the retraining decision on it recorded beside them.
 */
import {
  createExecutionContext,
  createScheduledController,
  env,
  SELF,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../../src/edge/app.js';
import type { ModelHost } from '../../../src/edge/model-host.js';
import { inProcessPredictors, type PredictorFactory } from '../../../src/edge/predictor.js';
import { R2CheckpointStore } from '../../../src/edge/r2-store.js';
import { type DriftCheckResult, type RetrainingRecord, runDriftCheck } from '../../../src/edge/scheduled.js';
import { initEdgeRuntime } from '../../../src/edge/wasm.js';
import worker, { type Env } from '../../../src/edge/worker.js';
import { decodeReference, REFERENCE_FILE } from '../../../src/runtime/drift/checkpoint-reference.js';
import { settingsFromEnv } from '../../../src/runtime/settings.js';
import { CHECKPOINT_NAME } from './provided.js';
import { checkpointFiles, seedCheckpoint } from './seed.js';

type Row = { timestamp: string; net_load: number };
const REPORTS = 'reports/twiga/drift/';
const RETRAINING = 'reports/twiga/retraining/';

/** Runs the Worker's cron handler; returns the JSON lines it logged. */
async function runCron(): Promise<Array<Record<string, unknown>>> {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  const ctx = createExecutionContext();
  await worker.scheduled(
    createScheduledController({ cron: '*/30 * * * *' }),
    env as unknown as Env,
    ctx as never,
  );
  await waitOnExecutionContext(ctx);
  return log.mock.calls.map(([line]) => JSON.parse(String(line)));
}

afterEach(() => {
  vi.restoreAllMocks();
});

async function readJson<T = Record<string, unknown>>(key: string): Promise<T> {
  const object = await env.CHECKPOINTS.get(key);
  expect(object, key).not.toBeNull();
  return JSON.parse(new TextDecoder().decode(await object!.arrayBuffer()));
}

const latest = () => readJson(`${REPORTS}latest.json`);

/** The provided checkpoint's drift reference sample, as records: recent data that cannot drift. */
function referenceRecords(): Array<{ net_load: number }> {
  const bytes = checkpointFiles()[`${CHECKPOINT_NAME}/v0001/${REFERENCE_FILE}`];
  expect(bytes).toBeDefined();
  const sample = decodeReference(bytes!).drift!.columns['net_load']!.values;
  return sample.map((net_load) => ({ net_load }));
}

async function keys(prefix: string): Promise<string[]> {
  return (await env.CHECKPOINTS.list({ prefix })).objects.map((o) => o.key);
}

beforeAll(async () => {
  await seedCheckpoint();
});

describe('scheduled drift check', () => {
  it('tests the newest files under the data prefix (JSON, CSV, Arrow) and writes summary and report to R2', async () => {
    const rows = JSON.parse(env.TEST_RECORDS_JSON) as Row[];
    const [a, b, c] = [rows.slice(0, 160), rows.slice(160, 320), rows.slice(320)];
    await env.CHECKPOINTS.put('data/recent/2024-01-31.json', JSON.stringify(a));
    await env.CHECKPOINTS.put(
      'data/recent/2024-02-03.csv',
      `timestamp,net_load\n${b.map((r) => `${r.timestamp},${r.net_load}`).join('\n')}\n`,
    );
    const table = tableFromArrays({
      timestamp: c.map((r) => r.timestamp),
      net_load: Float64Array.from(c, (r) => r.net_load),
    });
    await env.CHECKPOINTS.put('data/recent/2024-02-06.arrow', tableToIPC(table, 'file'));
    const logged = await runCron();
    const summary = await latest();
    // The version the Worker serves (other test files in this isolate may have promoted newer ones).
    const served = (await (await SELF.fetch('http://twiga.test/health')).json()) as { version: number };
    expect(summary).toMatchObject({
      version: served.version,
      total: 1,
      files: ['data/recent/2024-01-31.json', 'data/recent/2024-02-03.csv', 'data/recent/2024-02-06.arrow'],
    });
    expect((summary['columns'] as Record<string, { n_current: number }>)['net_load']!.n_current).toBe(
      rows.length,
    );
    const report = String(summary['report_path']);
    expect(report).toMatch(/^r2:\/\/twiga-checkpoints\/reports\/twiga\/drift\/data_drift_.*\.html$/);
    const html = await env.CHECKPOINTS.get(report.replace('r2://twiga-checkpoints/', ''));
    expect(new TextDecoder().decode(await html!.arrayBuffer())).toMatch(/<html[\s\S]*net_load/);
    const listed = await env.CHECKPOINTS.list({ prefix: REPORTS });
    expect(listed.objects.filter((o) => /\d{4}-\d\d-\d\dT.*\.json$/.test(o.key))).toHaveLength(1);

    // Every checked run records the decision, made on this summary with the default policy.
    const record = await readJson<RetrainingRecord>(`${RETRAINING}latest.json`);
    const due = (summary['dataset_drift_score'] as number) > 0.5;
    expect(record).toMatchObject({
      due,
      reason: due ? 'drift' : 'within_thresholds',
      version: served.version,
      policy: { driftThreshold: 0.5, performanceThreshold: null, metricKey: 'mae', minimize: true },
      drift_summary_key: listed.objects.find((o) => /T.*\.json$/.test(o.key))!.key,
    });
    expect(Date.parse(record.decided_at)).not.toBeNaN();
    expect(record).not.toHaveProperty('incumbent_metric');
    expect(await keys(`${RETRAINING}due/`)).toHaveLength(due ? 1 : 0);
    expect(logged.find((l) => l['event'] === 'twiga.retraining_decision')).toMatchObject({
      retraining_due: due,
      version: served.version,
      key: `${RETRAINING}latest.json`,
    });
  });

  it('flags drift when the recent data moved away from the training reference', async () => {
    const rows = JSON.parse(env.TEST_RECORDS_JSON) as Row[];
    const shifted = rows.map((r) => ({ ...r, net_load: r.net_load * 2 + 400 }));
    await env.CHECKPOINTS.put('data/recent/2024-02-09.json', JSON.stringify(shifted));
    const before = (await latest())['feature_drift'] as Record<string, number>;
    const markers = await keys(`${RETRAINING}due/`);
    const logged = await runCron();
    const summary = await latest();
    expect(summary['drift_detected']).toBe(true);
    expect(summary['files']).toContain('data/recent/2024-02-09.json');
    const after = summary['feature_drift'] as Record<string, number>;
    expect(before['net_load']!).toBeLessThan(0.5);
    expect(after['net_load']!).toBeGreaterThan(10 * before['net_load']!);

    // 1/1 columns drifted > 0.5: retraining due, the marker holds the same record.
    const record = await readJson<RetrainingRecord>(`${RETRAINING}latest.json`);
    expect(record).toMatchObject({ due: true, reason: 'drift', version: summary['version'] });
    expect(record.detail).toMatch(/^1\/1 columns drifted \(share 1\.000\) > drift threshold 0\.5$/);
    expect(record.drift_summary_key).toMatch(/^reports\/twiga\/drift\/\d{4}-.*\.json$/);
    expect((await readJson(record.drift_summary_key))['files']).toContain('data/recent/2024-02-09.json');
    const added = (await keys(`${RETRAINING}due/`)).filter((k) => !markers.includes(k));
    expect(added).toHaveLength(1);
    expect(added[0]).toMatch(/^reports\/twiga\/retraining\/due\/\d{4}-\d\d-\d\dT[\d-]+Z\.json$/);
    expect(await readJson(added[0]!)).toEqual(record);
    const line = logged.find((l) => l['event'] === 'twiga.retraining_decision');
    expect(line).toMatchObject({ retraining_due: true, reason: 'drift', due_key: added[0] });
    expect(logged.find((l) => l['event'] === 'twiga.drift_check')).not.toHaveProperty('retraining');
  });

  it('records no retraining due, and writes no marker, when the recent data is drawn like the reference', async () => {
    // Only this file under the prefix: the training reference's own sample (the last days of the series
    // already count as drifted under the default per-column test).
    await env.CHECKPOINTS.delete(await keys('data/recent/'));
    await env.CHECKPOINTS.put('data/recent/2024-02-12.json', JSON.stringify(referenceRecords()));
    const markers = await keys(`${RETRAINING}due/`);
    const logged = await runCron();
    expect(await latest()).toMatchObject({ drift_detected: false, files: ['data/recent/2024-02-12.json'] });
    const record = await readJson<RetrainingRecord>(`${RETRAINING}latest.json`);
    expect(record).toMatchObject({ due: false, reason: 'within_thresholds' });
    expect(record.detail).toBe(
      '0/1 columns drifted (share 0.000) ≤ drift threshold 0.5; no performance threshold set',
    );
    expect(record).not.toHaveProperty('incumbent_metric');
    expect(await keys(`${RETRAINING}due/`)).toEqual(markers);
    expect(logged.find((l) => l['event'] === 'twiga.retraining_decision')).toMatchObject({
      retraining_due: false,
      reason: 'within_thresholds',
      key: `${RETRAINING}latest.json`,
      due_key: null,
    });
  });
});

describe('retraining decision with a performance threshold', () => {
  // Own data and report prefixes: the cron tests above keep theirs, and the data here does not drift.
  const base = {
    TWIGA_SERVE_CHECKPOINT: 'twiga',
    TWIGA_DRIFT_DATA_PREFIX: 'data/perf-recent/',
    TWIGA_SERVE_REPORT_PREFIX: 'reports-perf/',
  };
  const retraining = 'reports-perf/twiga/retraining/';
  const performanceKey = 'reports-perf/twiga/performance/latest.json';
  const store = new R2CheckpointStore(env.CHECKPOINTS, { bucketName: 'twiga-checkpoints' });
  const predictors: PredictorFactory = {
    async create(files, version) {
      const { engine } = await initEdgeRuntime();
      return inProcessPredictors(engine).create(files, version);
    },
  };
  // The app whose POST /monitor/performance keeps the summary the decision reads.
  const app = createApp({ store, settings: settingsFromEnv(base), predictors });
  const host: ModelHost = app.host;
  let minute = 0;

  async function check(variables: Record<string, string>) {
    const settings = settingsFromEnv({ ...base, ...variables });
    // A distinct time per run, so each due marker has its own key.
    const at = new Date(Date.UTC(2024, 1, 10, 0, minute++));
    const result = await runDriftCheck({ host, store, settings, now: () => at });
    expect(result.status).toBe('checked');
    const retraining = (result as Extract<DriftCheckResult, { status: 'checked' }>).retraining;
    const { key, due_key, ...record } = retraining;
    expect(await readJson(key)).toEqual(record);
    return retraining;
  }

  beforeAll(async () => {
    await env.CHECKPOINTS.put('data/perf-recent/records.json', JSON.stringify(referenceRecords()));
  });

  it('decides on drift alone, and says so, while no performance summary is stored', async () => {
    const record = await check({ TWIGA_RETRAIN_PERFORMANCE_THRESHOLD: '5' });
    expect(record).toMatchObject({ due: false, reason: 'within_thresholds', due_key: null });
    expect(record.detail).toMatch(
      /≤ drift threshold 0\.5; no performance summary at r2:\/\/twiga-checkpoints\/reports-perf\/twiga\/performance\/latest\.json .*decided on drift alone$/,
    );
    expect(record).not.toHaveProperty('incumbent_metric');
    expect(record).not.toHaveProperty('performance_summary_key');
    expect(await keys(`${retraining}due/`)).toEqual([]);
  });

  it("is due when the stored summary's metric breaches the threshold, and not otherwise", async () => {
    // Forecasts 20 above the actuals: the ensemble's MAE is 20.
    const rows = (JSON.parse(env.TEST_RECORDS_JSON) as Row[]).map((r) => ({
      ...r,
      prediction: r.net_load + 20,
    }));
    const res = await app.request('/monitor/performance', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ records: rows }),
    });
    expect(res.status).toBe(200);
    expect(await store.get(performanceKey)).toBeDefined();

    const breached = await check({ TWIGA_RETRAIN_PERFORMANCE_THRESHOLD: '5' });
    expect(breached).toMatchObject({
      due: true,
      reason: 'performance',
      performance_summary_key: performanceKey,
      policy: { driftThreshold: 0.5, performanceThreshold: 5, metricKey: 'mae', minimize: true },
    });
    expect(breached.incumbent_metric).toBeCloseTo(20, 6);
    expect(breached.detail).toMatch(
      /≤ drift threshold 0\.5; incumbent mae 20\.0+ > performance threshold 5 \(performance summary of .*model "ensemble"/,
    );
    expect(breached.due_key).toMatch(/^reports-perf\/twiga\/retraining\/due\/2024-02-10T.*\.json$/);
    expect(await keys(`${retraining}due/`)).toEqual([breached.due_key]);

    const within = await check({ TWIGA_RETRAIN_PERFORMANCE_THRESHOLD: '50' });
    expect(within).toMatchObject({ due: false, reason: 'within_thresholds', due_key: null });
    expect(within.incumbent_metric).toBeCloseTo(20, 6);
    expect(within.detail).toMatch(/incumbent mae 20\.0+ ≤ performance threshold 50/);
    // Higher is better for corr: 1 (a shifted copy) is not below 0.9.
    const corr = await check({
      TWIGA_RETRAIN_PERFORMANCE_THRESHOLD: '0.9',
      TWIGA_RETRAIN_METRIC_KEY: 'corr',
      TWIGA_RETRAIN_MINIMIZE: 'false',
    });
    expect(corr).toMatchObject({ due: false, reason: 'within_thresholds' });
    expect(corr.incumbent_metric).toBeCloseTo(1, 6);
    // The summary scores the ensemble's forecast: another model's metric cannot show a breach.
    const other = await check({
      TWIGA_RETRAIN_PERFORMANCE_THRESHOLD: '5',
      TWIGA_RETRAIN_METRIC_KEY: 'linear/mae',
    });
    expect(other).toMatchObject({ due: false, reason: 'within_thresholds', incumbent_metric: null });
    expect(other.detail).toMatch(/linear\/mae is undefined .*model "ensemble"/);
    expect(await keys(`${retraining}due/`)).toEqual([breached.due_key]);
  });

  it('ignores a corrupt performance summary, says so, and still decides', async () => {
    for (const [bytes, problem] of [
      ['{ not json', /is not JSON, ignored; decided on drift alone$/],
      [
        JSON.stringify({ mae: 'high' }),
        /is not a performance summary \(mae: .*\), ignored; decided on drift alone$/,
      ],
    ] as const) {
      await env.CHECKPOINTS.put(performanceKey, bytes);
      const record = await check({ TWIGA_RETRAIN_PERFORMANCE_THRESHOLD: '5' });
      expect(record).toMatchObject({ due: false, reason: 'within_thresholds', due_key: null });
      expect(record.detail).toMatch(problem);
      expect(record).not.toHaveProperty('incumbent_metric');
    }
  });
});
