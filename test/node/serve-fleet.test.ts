/** The fleet route suite and LRU eviction against `twiga-edge serve --checkpoints` (real HTTP, worker threads). */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeDriftWasm } from '../../src/node/drift-wasm.js';
import { FsCheckpointStore } from '../../src/node/fs-store.js';
import { createOnnxEngine } from '../../src/runtime/onnx/engine.js';
import { fromReply } from '../../src/runtime/serving/error-wire.js';
import { ForecastService } from '../../src/worker/service.js';
import { buildFleetFixture, type FleetFixture } from '../edge/fleet-fixture.js';
import { describeEviction, describeFleet, type FleetHarness, twoModelBudgetMb } from '../edge/fleet-suite.js';
import { routeEnv } from '../edge/route-settings.js';
import { runCli } from './cli-run.js';
import { type ServerProcess, startServer } from './serve-process.js';

let fixture: FleetFixture;
let server: ServerProcess;
let small: ServerProcess;
const harness = (s: () => ServerProcess): FleetHarness => ({
  request: (path, init) => fetch(`${s().url}${path}`, init),
  store: new FsCheckpointStore(fixture.root),
  names: fixture.names,
  records: fixture.records,
  expected: fixture.expected,
});

beforeAll(async () => {
  fixture = await buildFleetFixture(3);
  const args = ['--checkpoints', fixture.root, '--port', '0', '--workers', '1'];
  [server, small] = await Promise.all([
    startServer(args, routeEnv()),
    startServer(args, {
      ...routeEnv(),
      TWIGA_SERVE_CHECKPOINT: fixture.names[0]!,
      TWIGA_SERVE_MAX_LOADED_MB: twoModelBudgetMb(fixture.modelBytes),
    }),
  ]);
}, 180_000);

afterAll(async () => {
  if (server) expect(await server.stop()).toBe(0);
  if (small) expect(await small.stop()).toBe(0);
  if (fixture) await rm(fixture.dir, { recursive: true, force: true });
});

describeFleet('Node (twiga-edge serve --checkpoints)', () => harness(() => server));
describeEviction('Node (TWIGA_SERVE_MAX_LOADED_MB fits two models)', () => harness(() => small));

describe('the Web Worker service over a fleet (in Node, from the server over HTTP)', () => {
  it('lists the served models, loads several by name and predicts for each', async () => {
    const service = new ForecastService({
      engine: async () => createOnnxEngine(),
      initDrift: initNodeDriftWasm,
    });
    const source = { url: `${server.url}/checkpoints`, apiKey: routeEnv().TWIGA_SERVE_API_KEY! };
    const names = fromReply(await service.listModels({ ...source, prefix: 'feeders/' }));
    expect(names).toEqual(fixture.names);
    for (const name of names) fromReply(await service.load({ ...source, name }));
    expect(fromReply(await service.health()).models).toEqual(names);
    for (const name of names) {
      const got = fromReply(await service.predict({ records: fixture.records[name]! }, { model: name }));
      expect({ ...got, version: 0 }).toEqual({ ...fixture.expected[name], version: 0 });
    }
    const missing = await service.predict(
      { records: fixture.records[names[0]!]! },
      { model: 'feeders/nope' },
    );
    expect(missing.ok).toBe(false);
    expect(fromReply(await service.unload(names[0]!))).toBe(true);
    expect(fromReply(await service.health()).models).toEqual(names.slice(1));
  });
});

describe('twiga-edge models', () => {
  it('lists names, active versions, saved_at and metrics as a table and as JSON', async () => {
    const table = await runCli(['models', '--checkpoints', fixture.root]);
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^name\s+version\s+saved_at\s+model_type\s+metrics$/);
    for (const name of fixture.names)
      expect(table.stdout).toMatch(new RegExp(`${name}\\s+\\d+\\s+20\\d\\d-`));
    expect(table.stdout).toMatch(/linear\/mae=\d/);
    const json = await runCli(['models', '--checkpoints', fixture.root, '--prefix', 'feeders/', '--json']);
    const models = JSON.parse(json.stdout) as Array<{ name: string; version: number; metrics: object }>;
    expect(models.map((m) => m.name)).toEqual(expect.arrayContaining(fixture.names));
    expect(models.every((m) => m.name.startsWith('feeders/'))).toBe(true);
    expect(models[0]).toMatchObject({
      version: expect.any(Number),
      metrics: { linear: { mae: expect.any(Number) } },
    });
  });

  it('serve --checkpoints refuses a folder with no models, naming it', async () => {
    const r = await runCli(['serve', '--checkpoints', `${fixture.dir}/empty`, '--port', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/No models under .*empty/);
  });
});
