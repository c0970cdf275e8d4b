/** A global checkpoint served by `twiga-edge serve` (real HTTP server, inference in worker threads). */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, expect } from 'vitest';
import { buildGlobalFixture, type GlobalFixture } from '../edge/global-fixture.js';
import { describeGlobalRoutes, type GlobalHarness } from '../edge/global-suite.js';
import { routeEnv } from '../edge/route-settings.js';
import { type ServerProcess, startServer } from './serve-process.js';

let fixture: GlobalFixture;
let server: ServerProcess;
let harness: GlobalHarness;

beforeAll(async () => {
  fixture = await buildGlobalFixture();
  server = await startServer(
    ['--checkpoint', fixture.checkpointDir, '--port', '0', '--workers', '2'],
    routeEnv(),
  );
  harness = {
    request: (path, init) => fetch(`${server.url}${path}`, init),
    records: fixture.records,
    expected: fixture.expected,
  };
}, 120_000);

afterAll(async () => {
  if (server) expect(await server.stop()).toBe(0);
  if (fixture) await rm(fixture.dir, { recursive: true, force: true });
});

describeGlobalRoutes('Node, twiga-edge serve', () => harness);
