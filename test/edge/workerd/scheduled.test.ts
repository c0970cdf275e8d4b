/** The cron handler inside workerd: recent data from R2 → DriftSummary + HTML report written back to R2. */
import {
  createExecutionContext,
  createScheduledController,
  env,
  SELF,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import worker, { type Env } from '../../../src/edge/worker.js';
import { seedCheckpoint } from './seed.js';

type Row = { timestamp: string; net_load: number };
const REPORTS = 'reports/twiga/drift/';

async function runCron(): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(
    createScheduledController({ cron: '*/30 * * * *' }),
    env as unknown as Env,
    ctx as never,
  );
  await waitOnExecutionContext(ctx);
}

async function latest(): Promise<Record<string, unknown>> {
  const object = await env.CHECKPOINTS.get(`${REPORTS}latest.json`);
  expect(object).not.toBeNull();
  return JSON.parse(new TextDecoder().decode(await object!.arrayBuffer()));
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
    await runCron();
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
  });

  it('flags drift when the recent data moved away from the training reference', async () => {
    const rows = JSON.parse(env.TEST_RECORDS_JSON) as Row[];
    const shifted = rows.map((r) => ({ ...r, net_load: r.net_load * 2 + 400 }));
    await env.CHECKPOINTS.put('data/recent/2024-02-09.json', JSON.stringify(shifted));
    const before = (await latest())['feature_drift'] as Record<string, number>;
    await runCron();
    const summary = await latest();
    expect(summary['drift_detected']).toBe(true);
    expect(summary['files']).toContain('data/recent/2024-02-09.json');
    const after = summary['feature_drift'] as Record<string, number>;
    expect(before['net_load']!).toBeLessThan(0.5);
    expect(after['net_load']!).toBeGreaterThan(10 * before['net_load']!);
  });
});
