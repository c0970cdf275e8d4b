/**
 * The route fuzzer against `twiga-edge serve` as a real child process (files, worker threads), with a
 * preloaded probe reporting whether `Object.prototype` changed in the server while it ran.
 */
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildServingFixture, CHECKPOINT_NAME, type ServingFixture } from '../edge/fixture.js';
import { ROUTE_SETTINGS, routeEnv } from '../edge/route-settings.js';
import { type ServerProcess, startServer } from '../node/serve-process.js';
import { DEFAULT_SEED, FAST_RUNS, fuzzContext } from './context.js';
import { fuzzRoute, httpSend, type Send } from './route-fuzz.js';
import { type FuzzContext, ROUTES } from './route-table.js';
import { describeTimeRange } from './time-range-suite.js';

const PROBE = fileURLToPath(new URL('./prototype-probe.ts', import.meta.url));

let fixture: ServingFixture;
let server: ServerProcess;
let ctx: FuzzContext;
let send: Send;

beforeAll(async () => {
  fixture = await buildServingFixture();
  server = await startServer(
    ['--checkpoint', fixture.checkpointDir, '--port', '0', '--workers', '1'],
    routeEnv(),
    ['--import', PROBE],
  );
  ctx = fuzzContext(ROUTE_SETTINGS.apiKey, CHECKPOINT_NAME, Object.keys(fixture.files), fixture.records);
  send = httpSend(server.url);
}, 120_000);

afterAll(async () => {
  if (server) {
    expect(await server.stop()).toBe(0);
    expect(server.stderr()).toContain('prototype-probe: clean');
  }
  if (fixture) await rm(fixture.dir, { recursive: true, force: true });
});

describeTimeRange('Node (twiga-edge serve)', () => ({
  ctx,
  send: (path, body, type = 'application/json') =>
    fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { 'x-api-key': ROUTE_SETTINGS.apiKey, 'content-type': type },
      body,
    }),
}));

for (const route of ROUTES) {
  it(`fuzz ${route.name} on Node: no 5xx, 4xx in the error shape, healthy after`, async () => {
    await fuzzRoute(route, ctx, send, { runs: FAST_RUNS, seed: DEFAULT_SEED });
  }, 300_000);
}
