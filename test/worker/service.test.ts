/**
 * ForecastService (the Web Worker's implementation) in Node, loading over HTTP from a real `twiga-edge serve`:
 * the same numbers as Node's forecaster and monitor, typed errors as data, the old model kept on a failed load.
 */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeDriftWasm } from '../../src/node/drift-wasm.js';
import { FsCheckpointStore } from '../../src/node/fs-store.js';
import { loadCheckpoint } from '../../src/runtime/checkpoint/checkpoint.js';
import { decodeReference } from '../../src/runtime/drift/checkpoint-reference.js';
import { ForecastMonitor } from '../../src/runtime/drift/monitor.js';
import { Forecaster } from '../../src/runtime/forecaster.js';
import { createOnnxEngine } from '../../src/runtime/onnx/engine.js';
import { fromReply, fromWireError } from '../../src/runtime/serving/error-wire.js';
import type { Reply } from '../../src/worker/api.js';
import { ForecastService } from '../../src/worker/service.js';
import { buildServingFixture, CHECKPOINT_NAME, type ServingFixture } from '../edge/fixture.js';
import { routeEnv } from '../edge/route-settings.js';
import { type ServerProcess, startServer } from '../node/serve-process.js';

let fixture: ServingFixture;
let server: ServerProcess;
const apiKey = routeEnv().TWIGA_SERVE_API_KEY!;

const value = fromReply;
const failure = (reply: Reply<unknown>): Error => {
  if (reply.ok) throw new Error('expected a failure');
  return fromWireError(reply.error);
};
const service = () =>
  new ForecastService({ engine: async () => createOnnxEngine(), initDrift: initNodeDriftWasm });

beforeAll(async () => {
  fixture = await buildServingFixture();
  server = await startServer(
    ['--checkpoint', fixture.checkpointDir, '--port', '0', '--workers', '1'],
    routeEnv(),
  );
}, 120_000);

afterAll(async () => {
  if (server) await server.stop();
  if (fixture) await rm(fixture.dir, { recursive: true, force: true });
});

describe('ForecastService', () => {
  it('loads what the edge serves (hash-checked) and forecasts exactly like `twiga-edge predict`', async () => {
    const s = service();
    expect(failure(await s.predict({ records: fixture.records })).name).toBe('ConfigError');
    const info = value(await s.load({ url: `${server.url}/checkpoints`, name: CHECKPOINT_NAME, apiKey }));
    expect(info).toMatchObject({ version: 1, models: ['seasonal_naive_1D', 'linear'], horizon: 48 });
    expect(value(await s.predict({ records: fixture.records }))).toEqual(fixture.predicted);
    const interval = value(await s.predictInterval({ records: fixture.records }, { levels: [0.8] }));
    expect(Object.keys(interval.intervals!['ensemble']!['net_load']!)).toEqual(['0.8']);
    const health = value(await s.health());
    expect(health).toMatchObject({ loaded: true, source: `${server.url}/checkpoints/${CHECKPOINT_NAME}` });
  });

  it('refuses a wrong key, naming the status, and keeps the model it has', async () => {
    const s = service();
    value(await s.load({ url: `${server.url}/checkpoints`, name: CHECKPOINT_NAME, apiKey }));
    const error = failure(
      await s.load({ url: `${server.url}/checkpoints`, name: CHECKPOINT_NAME, apiKey: 'wrong' }),
    );
    expect(error.name).toBe('CheckpointError');
    expect(error.message).toMatch(/answered 401/);
    expect(value(await s.health()).model?.version).toBe(1);
  });

  it('forecasts many windows like Forecaster.predictOrigins, from columns', async () => {
    const s = service();
    value(await s.load({ url: `${server.url}/checkpoints`, name: CHECKPOINT_NAME, apiKey }));
    const time = Float64Array.from(fixture.records, (r) => Date.parse(`${r.timestamp}Z`));
    const load = Float64Array.from(fixture.records, (r) => r.net_load);
    const windows = value(
      await s.predictWindows({ columns: { timestamp: time, net_load: load } }, { stride: 1 }),
    );
    const files = (await loadCheckpoint(new FsCheckpointStore(fixture.root), CHECKPOINT_NAME)).files;
    const forecaster = await Forecaster.fromFiles(files, createOnnxEngine());
    const origins = Array.from({ length: time.length - 96 - 48 + 1 }, (_, i) => 96 + i);
    const batch = await forecaster.predictOrigins({ time, columns: { net_load: load } }, origins);
    expect(windows.originTimes.length).toBe(origins.length);
    expect(windows.predictions['linear']).toEqual(batch.predictions['linear']);
  });

  it('tests drift like ForecastMonitor in Node, on the WASM kernel', async () => {
    const s = service();
    value(await s.load({ url: `${server.url}/checkpoints`, name: CHECKPOINT_NAME, apiKey }));
    const summary = value(await s.detectDrift({ records: fixture.records }));
    const files = (await loadCheckpoint(new FsCheckpointStore(fixture.root), CHECKPOINT_NAME)).files;
    const reference = decodeReference(files['reference.json']!);
    const [, node] = await new ForecastMonitor().setReference(reference.drift!).runDataDrift(fixture.records);
    expect({ ...summary, timestamp: '' }).toEqual({ ...node, timestamp: '' });
    expect(value(await s.health()).driftKernel).toBe('wasm');
  });

  it('sends data errors back as data, naming the field', async () => {
    const s = service();
    value(await s.load({ url: `${server.url}/checkpoints`, name: CHECKPOINT_NAME, apiKey }));
    const records = fixture.records.map((r, i) =>
      i === 12 ? { ...r, timestamp: fixture.records[11]!.timestamp } : r,
    );
    const error = failure(await s.predict({ records }));
    expect(error.name).toBe('DataError');
    expect(error.message).toMatch(/^records\[12\]\.timestamp: duplicated timestamp/);
  });
});
