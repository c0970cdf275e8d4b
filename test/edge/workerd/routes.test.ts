/** The route suite inside workerd: the real Worker entry (SELF) over the real local R2 binding. */
import { env, SELF } from 'cloudflare:test';
import { beforeAll } from 'vitest';
import { R2CheckpointStore } from '../../../src/edge/r2-store.js';
import type { ForecastJson } from '../../../src/runtime/forecast-json.js';
import { describeRetrainingRoutes } from '../retraining-routes-suite.js';
import { describeRoutes, type RouteHarness } from '../routes-suite.js';
import { CHECKPOINT_NAME } from './provided.js';
import { seedCheckpoint } from './seed.js';

let harness: RouteHarness;

beforeAll(async () => {
  await seedCheckpoint();
  harness = {
    request: (path, init) => SELF.fetch(`http://twiga.test${path}`, init),
    store: new R2CheckpointStore(env.CHECKPOINTS, { bucketName: 'twiga-checkpoints' }),
    name: CHECKPOINT_NAME,
    records: JSON.parse(env.TEST_RECORDS_JSON) as RouteHarness['records'],
    predicted: JSON.parse(env.TEST_PREDICTED_JSON) as ForecastJson,
  };
});

describeRoutes('workerd (Worker entry, local R2)', () => harness);
describeRetrainingRoutes('workerd (Worker entry, local R2)', () => harness);
