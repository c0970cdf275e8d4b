/** The route fuzzer inside workerd: the real Worker entry over the real local R2 binding (see worker-fetch.ts). */
import { env } from 'cloudflare:test';
import { afterAll, beforeAll, it } from 'vitest';
import { R2CheckpointStore } from '../../../src/edge/r2-store.js';
import { DEFAULT_SEED, FAST_RUNS, fuzzContext } from '../../fuzz/context.js';
import { type FuzzStats, fuzzRoute, requestInit, type Send, statsTable } from '../../fuzz/route-fuzz.js';
import { type FuzzContext, ROUTES } from '../../fuzz/route-table.js';
import { describeTimeRange } from '../../fuzz/time-range-suite.js';
import { ROUTE_SETTINGS } from '../route-settings.js';
import { CHECKPOINT_NAME } from './provided.js';
import { recentRecords, seedCheckpoint } from './seed.js';
import { workerFetch } from './worker-fetch.js';

const send: Send = (r) => workerFetch(`http://twiga.test${r.path}`, requestInit(r));
let ctx: FuzzContext;
const runs = Number(env.TWIGA_FUZZ_RUNS) || FAST_RUNS;
const seed = Number(env.TWIGA_FUZZ_SEED) || DEFAULT_SEED;
const stats: FuzzStats = {};

// The long run prints its table first. The workerd files share one R2 state: remove the reports and latest
// performance summary the fuzz posted, so the route suite still finds none before its own — in R2's batch
// deletes of up to 1,000 keys (a 20,000-run fuzz leaves thousands; one by one outlasted the hook).
afterAll(
  async () => {
    if (env.TWIGA_FUZZ_RUNS)
      console.log(
        `\n${statsTable(`workerd (Worker entry, local R2), ${runs} runs/route, seed ${seed}`, stats)}\n`,
      );
    const store = new R2CheckpointStore(env.CHECKPOINTS, { bucketName: 'twiga-checkpoints' });
    const keys = await store.list('reports/');
    for (let i = 0; i < keys.length; i += 1000) await env.CHECKPOINTS.delete(keys.slice(i, i + 1000));
  },
  Math.max(60_000, runs * 30),
);

beforeAll(async () => {
  // Seed only an empty bucket: re-seeding after the route suite's promotions would roll the served
  // version back mid-fuzz (the files share one R2 state), which the /health property reports.
  const store = new R2CheckpointStore(env.CHECKPOINTS, { bucketName: 'twiga-checkpoints' });
  const present = await store.list(`${CHECKPOINT_NAME}/`);
  const keys = present.length > 0 ? present : await seedCheckpoint();
  ctx = fuzzContext(ROUTE_SETTINGS.apiKey, CHECKPOINT_NAME, keys, recentRecords());
});

describeTimeRange('workerd (Worker entry, local R2)', () => ({
  ctx,
  send: (path, body, type = 'application/json') =>
    workerFetch(`http://twiga.test${path}`, {
      method: 'POST',
      headers: { 'x-api-key': ROUTE_SETTINGS.apiKey, 'content-type': type },
      body,
    }),
}));

for (const route of ROUTES) {
  it(
    `fuzz ${route.name} on workerd: no 5xx, 4xx in the error shape, healthy after`,
    async () => {
      stats[route.name] = await fuzzRoute(route, ctx, send, { runs, seed });
    },
    Math.max(600_000, runs * 60),
  );
}
