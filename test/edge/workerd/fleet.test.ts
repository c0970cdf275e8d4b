/**
 * The fleet route suite inside workerd: the real Worker entry (SELF) serving every model in the real local
 * R2 binding, and LRU eviction in an app built here over the same bucket with a budget of two models.
 */
import { env, SELF } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp, type TwigaApp } from '../../../src/edge/app.js';
import { edgePredictors } from '../../../src/edge/edge-predictors.js';
import { FLEET_REPORTS, runFleetDriftCheck } from '../../../src/edge/fleet-scheduled.js';
import { R2CheckpointStore } from '../../../src/edge/r2-store.js';
import { initEdgeRuntime } from '../../../src/edge/wasm.js';
import { encodeJson } from '../../../src/runtime/checkpoint/manifest.js';
import { settingsFromEnv } from '../../../src/runtime/settings.js';
import type { FleetFixture } from '../fleet-fixture.js';
import { describeEviction, describeFleet, type FleetHarness, twoModelBudgetMb } from '../fleet-suite.js';
import { ROUTE_SETTINGS } from '../route-settings.js';
import { fromBase64 } from './seed.js';

type Shipped = Omit<FleetFixture, 'dir' | 'root'>;
let fleet: Shipped;
let small: TwigaApp;
const store = new R2CheckpointStore(env.CHECKPOINTS, { bucketName: 'twiga-checkpoints' });
const harness = (request: FleetHarness['request']): FleetHarness => ({
  request,
  store,
  names: fleet.names,
  records: fleet.records,
  expected: fleet.expected,
});

beforeAll(async () => {
  fleet = JSON.parse(env.TEST_FLEET_JSON) as Shipped;
  await Promise.all(
    Object.entries(fleet.files).map(([key, base64]) => env.CHECKPOINTS.put(key, fromBase64(base64))),
  );
  small = createApp({
    store,
    predictors: edgePredictors(initEdgeRuntime, 'auto'),
    settings: settingsFromEnv({
      TWIGA_SERVE_API_KEY: ROUTE_SETTINGS.apiKey,
      TWIGA_SERVE_POLL_SECONDS: String(ROUTE_SETTINGS.pollSeconds),
      TWIGA_SERVE_CHECKPOINT: fleet.names[0]!,
      TWIGA_SERVE_MAX_LOADED_MB: twoModelBudgetMb(fleet.modelBytes),
    }),
  });
});

describeFleet('workerd (Worker entry, fleet in local R2)', () =>
  harness((path, init) => SELF.fetch(`http://twiga.test${path}`, init)),
);
describeEviction('workerd (createApp, TWIGA_SERVE_MAX_LOADED_MB fits two models)', () =>
  harness(async (path, init) => small.request(path, init)),
);

describe('scheduled drift check over the fleet (workerd, local R2)', () => {
  it('checks every model on its own data, writes one summary per model and a fleet summary', async () => {
    const [a, b, c] = fleet.names as [string, string, string];
    const data = 'data/fleet-recent/';
    const reports = 'reports-fleet/';
    // The default model's data sits directly under the prefix (as before fleets); the others' under their name.
    await env.CHECKPOINTS.put(`${data}2024-01-25.json`, JSON.stringify(fleet.records[a]));
    const shifted = fleet.records[b]!.map((r) => ({ ...r, net_load: r.net_load * 3 + 900 }));
    await env.CHECKPOINTS.put(`${data}${b}/2024-01-25.json`, JSON.stringify(shifted));
    // A model whose manifest is not a manifest, with data: it fails alone.
    await env.CHECKPOINTS.put('broken/m1/_checkpoint_manifest.json', encodeJson('nonsense'));
    await env.CHECKPOINTS.put(`${data}broken/m1/2024-01-25.json`, JSON.stringify(fleet.records[a]));
    const settings = settingsFromEnv({
      TWIGA_SERVE_CHECKPOINT: a,
      TWIGA_DRIFT_DATA_PREFIX: data,
      TWIGA_SERVE_REPORT_PREFIX: reports,
    });
    const at = new Date(Date.UTC(2024, 1, 1));
    const result = await runFleetDriftCheck({ host: small.host, store, settings, now: () => at });
    expect(result.default.status).toBe('checked');
    const byName = Object.fromEntries(result.fleet.results.map((r) => [r.name, r]));
    expect(byName[a]).toMatchObject({ status: 'checked', version: expect.any(Number) });
    expect(byName[b]).toMatchObject({ status: 'checked', drift_detected: true, retraining_due: true });
    expect(byName[c]).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/no data files/) });
    expect(byName['broken/m1']).toMatchObject({ status: 'failed', error: expect.stringMatching(/Corrupt/) });
    expect(result.fleet.drifted).toContain(b);
    expect(result.fleet.retraining_due).toContain(b);
    expect(result.fleet.failed).toBeGreaterThanOrEqual(1);
    expect(result.key).toBe(`${reports}${FLEET_REPORTS}/drift/latest.json`);
    const stored = await env.CHECKPOINTS.get(result.key);
    expect(JSON.parse(new TextDecoder().decode(await stored!.arrayBuffer()))).toEqual(result.fleet);
    for (const name of [a, b]) {
      const latest = await env.CHECKPOINTS.get(`${reports}${name}/drift/latest.json`);
      expect(latest, name).not.toBeNull();
      const record = await env.CHECKPOINTS.get(`${reports}${name}/retraining/latest.json`);
      expect(record, name).not.toBeNull();
    }
    expect(await env.CHECKPOINTS.get(`${reports}${c}/drift/latest.json`)).toBeNull();
  });
});
