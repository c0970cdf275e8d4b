/**
 * The fleet route suite inside workerd: the real Worker entry (SELF) serving every model in the real local
 * R2 binding, and LRU eviction in an app built here over the same bucket with a budget of two models.
 */
import { env, SELF } from 'cloudflare:test';
import { beforeAll } from 'vitest';
import { createApp, type TwigaApp } from '../../../src/edge/app.js';
import { edgePredictors } from '../../../src/edge/edge-predictors.js';
import { R2CheckpointStore } from '../../../src/edge/r2-store.js';
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
    predictors: edgePredictors,
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
