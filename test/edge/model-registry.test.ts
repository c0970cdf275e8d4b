/** ModelRegistry over real checkpoints and ORT: single-flight loads, LRU by bytes, eviction after in-flight requests. */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/edge/http-errors.js';
import { MODEL_OVERHEAD_BYTES, ModelRegistry } from '../../src/edge/model-registry.js';
import { inProcessPredictors, type PredictorFactory } from '../../src/edge/predictor.js';
import { FsCheckpointStore } from '../../src/node/fs-store.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/runtime/checkpoint/checkpoint.js';
import { MemoryCheckpointStore } from '../../src/runtime/checkpoint/memory-store.js';
import { frameFromRecords } from '../../src/runtime/input/frame-input.js';
import { createOnnxEngine } from '../../src/runtime/onnx/engine.js';
import { buildFleetFixture, type FleetFixture } from './fleet-fixture.js';

let fixture: FleetFixture;
const store = new MemoryCheckpointStore();
const names = ['m/a', 'm/b', 'm/c', 'm/d'];
let bytes = 0;

/** The real in-process factory, instrumented to count what it builds and releases. */
function counted() {
  const inner = inProcessPredictors(createOnnxEngine());
  const log = { created: 0, released: 0 };
  const factory: PredictorFactory = {
    async create(files, version, manifest) {
      const predictor = await inner.create(files, version, manifest);
      log.created++;
      return {
        engines: predictor.engines,
        forecast: (frame, options) => predictor.forecast(frame, options),
        forecastSeries: (frames, options) => predictor.forecastSeries(frames, options),
        release: async () => {
          log.released++;
          await predictor.release();
        },
      };
    },
  };
  return { factory, log };
}

const registry = (factory: PredictorFactory, models: number) =>
  new ModelRegistry({
    store,
    predictors: factory,
    defaultName: names[0]!,
    fleet: true,
    pollSeconds: 60,
    maxLoadedBytes: models * (bytes + MODEL_OVERHEAD_BYTES) + MODEL_OVERHEAD_BYTES / 2,
  });

beforeAll(async () => {
  fixture = await buildFleetFixture(1);
  const loaded = await loadCheckpoint(new FsCheckpointStore(fixture.root), fixture.names[0]!);
  bytes = Object.values(loaded.files).reduce((s, f) => s + f.byteLength, 0);
  const meta = { modelType: loaded.manifest.model_type, checkpointFile: 'pipeline.json' };
  for (const name of names) await saveCheckpoint(store, name, loaded.files, meta);
}, 120_000);

afterAll(async () => {
  if (fixture) await rm(fixture.dir, { recursive: true, force: true });
});

describe('ModelRegistry', () => {
  it('loads a model once for concurrent requests', async () => {
    const { factory, log } = counted();
    const r = registry(factory, 4);
    const served = await Promise.all(Array.from({ length: 8 }, () => r.model('m/b')));
    await Promise.all(served.map((s) => s.use(async () => undefined)));
    expect(log.created).toBe(1);
    expect(r.loaded).toEqual(['m/b']);
    await r.close();
  });

  it('evicts the least recently used past the budget, never the default, after its requests finish', async () => {
    const { factory, log } = counted();
    const r = registry(factory, 2);
    const records = fixture.records[fixture.names[0]!]!;
    const forecast = (name: string) =>
      r.model(name).then((s) => s.use((m) => m.predictor.forecast(frameFromRecords(records, m.config), {})));
    await r.defaultModel().use(async () => undefined);
    await forecast('m/b');
    expect(r.loaded).toEqual(['m/a', 'm/b']);
    // A request holding m/b while m/c's load evicts it: it still answers; m/b is released only after it.
    let release!: () => void;
    const held = r.model('m/b').then((s) =>
      s.use(
        () =>
          new Promise<string>((ok) => {
            release = () => ok('done');
          }),
      ),
    );
    await new Promise((ok) => setTimeout(ok, 10));
    await forecast('m/c');
    expect(r.loaded).not.toContain('m/b');
    expect(r.loaded).toEqual(expect.arrayContaining(['m/a', 'm/c']));
    expect(log.released).toBe(0);
    release();
    expect(await held).toBe('done');
    expect(log.released).toBe(1);
    expect(r.loadedBytes).toBeLessThanOrEqual(2 * (bytes + MODEL_OVERHEAD_BYTES) + MODEL_OVERHEAD_BYTES / 2);
    await forecast('m/b');
    expect(r.loaded).toEqual(expect.arrayContaining(['m/a', 'm/b']));
    expect(r.loaded).toContain('m/a');
    await r.close();
  });

  it('404s an unknown name without keeping a host for it; 400s an invalid one', async () => {
    const r = registry(counted().factory, 2);
    const missing = await r.model('m/nope').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ApiError);
    expect(missing).toMatchObject({ status: 404, code: 'MODEL_NOT_FOUND' });
    expect(r.describe('m/nope').loaded).toBe(false);
    for (const bad of ['a/b/c', '../x', 'a//b', 'a b', 'x'.repeat(201), 'm/v0002']) {
      await expect(r.model(bad)).rejects.toMatchObject({ status: 400 });
    }
    expect(await r.names()).toEqual(names);
    await r.close();
  });
});
