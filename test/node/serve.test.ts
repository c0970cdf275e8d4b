/** The route suite against `twiga-edge serve` on Node: a real HTTP server, its checkpoint in a folder, inference in worker threads. */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsCheckpointStore } from '../../src/node/fs-store.js';
import { buildServingFixture, CHECKPOINT_NAME, type ServingFixture } from '../edge/fixture.js';
import { describeRetrainingRoutes } from '../edge/retraining-routes-suite.js';
import { routeEnv } from '../edge/route-settings.js';
import { describeRoutes, type RouteHarness } from '../edge/routes-suite.js';
import { runCli } from './cli-run.js';
import { type ServerProcess, startServer } from './serve-process.js';

let fixture: ServingFixture;
let server: ServerProcess;
let harness: RouteHarness;

beforeAll(async () => {
  fixture = await buildServingFixture();
  server = await startServer(
    ['--checkpoint', fixture.checkpointDir, '--port', '0', '--workers', '2'],
    routeEnv(),
  );
  harness = {
    request: (path, init) => fetch(`${server.url}${path}`, init),
    store: new FsCheckpointStore(fixture.root),
    name: CHECKPOINT_NAME,
    records: fixture.records,
    predicted: fixture.predicted,
  };
}, 120_000);

afterAll(async () => {
  if (server) expect(await server.stop()).toBe(0);
  if (fixture) await rm(fixture.dir, { recursive: true, force: true });
});

describeRoutes('Node (twiga-edge serve, worker threads)', () => harness);
describeRetrainingRoutes('Node (twiga-edge serve)', () => harness);

describe('twiga-edge serve', () => {
  it('refuses to start without a loadable checkpoint, naming the folder (exit 1)', async () => {
    const r = await runCli(['serve', '--checkpoint', `${fixture.dir}/nothing-here`, '--port', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/CheckpointError: No checkpoint "nothing-here"/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects a bad setting by name (exit 2)', async () => {
    const r = await runCli(['serve', '--checkpoint', fixture.checkpointDir, '--port', '0'], {
      env: { TWIGA_SERVE_POLL_SECONDS: 'soon' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/TWIGA_SERVE_POLL_SECONDS/);
  });
});
