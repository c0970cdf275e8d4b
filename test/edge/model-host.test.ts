/** ModelHost over a real checkpoint: one load for concurrent callers, old models live until their requests end, polling by etag. */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelHost } from '../../src/edge/model-host.js';
import { inProcessPredictors, type PredictorFactory } from '../../src/edge/predictor.js';
import { FsCheckpointStore } from '../../src/node/fs-store.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/runtime/checkpoint/checkpoint.js';
import { MemoryCheckpointStore } from '../../src/runtime/checkpoint/memory-store.js';
import type { CheckpointStore } from '../../src/runtime/checkpoint/store.js';
import type { Frame } from '../../src/runtime/frame.js';
import { createOnnxEngine } from '../../src/runtime/onnx/engine.js';
import { buildServingFixture, CHECKPOINT_NAME, type ServingFixture } from './fixture.js';

let fixture: ServingFixture;
let files: Record<string, Uint8Array>;
const meta = { modelType: 'ensemble[seasonal_naive_1D,linear]', checkpointFile: 'pipeline.json' };
const frame = (): Frame => ({
  time: Float64Array.from(fixture.records, (r) => Date.parse(`${r.timestamp}Z`)),
  columns: { net_load: Float64Array.from(fixture.records, (r) => r.net_load) },
});

/** The real in-process factory, instrumented to count what it builds and releases. */
function counted() {
  const inner = inProcessPredictors(createOnnxEngine());
  const log = { created: [] as number[], released: [] as number[] };
  const factory: PredictorFactory = {
    async create(f, version) {
      const predictor = await inner.create(f, version);
      log.created.push(version);
      return {
        forecast: (fr, o) => predictor.forecast(fr, o),
        forecastSeries: (frames, o) => predictor.forecastSeries(frames, o),
        release: async () => {
          log.released.push(version);
          await predictor.release();
        },
        engines: predictor.engines,
      };
    },
  };
  return { factory, log };
}

/** A memory store that counts `head` calls (how often the host polls). */
function countingStore(): { store: CheckpointStore; heads: () => number } {
  const inner = new MemoryCheckpointStore();
  let heads = 0;
  const store: CheckpointStore = {
    get: (k) => inner.get(k),
    head: (k) => {
      heads++;
      return inner.head(k);
    },
    put: (k, b, o) => inner.put(k, b, o),
    list: (p) => inner.list(p),
    delete: (k) => inner.delete(k),
    describe: (k) => inner.describe(k),
  };
  return { store, heads: () => heads };
}

beforeAll(async () => {
  fixture = await buildServingFixture();
  files = (await loadCheckpoint(new FsCheckpointStore(fixture.root), CHECKPOINT_NAME)).files;
}, 120_000);

afterAll(async () => {
  if (fixture) await rm(fixture.dir, { recursive: true, force: true });
});

describe('ModelHost', () => {
  it('loads once for concurrent first requests', async () => {
    const { store } = countingStore();
    await saveCheckpoint(store, 'twiga', files, meta);
    const { factory, log } = counted();
    const host = new ModelHost({ store, name: 'twiga', predictors: factory, pollSeconds: 10 });
    const models = await Promise.all(Array.from({ length: 5 }, () => host.ensure()));
    expect(new Set(models).size).toBe(1);
    expect(log.created).toEqual([1]);
    expect(models[0]!.info.models).toEqual(['seasonal_naive_1D', 'linear']);
    expect(models[0]!.reference?.drift).toBeDefined();
  });

  it('a reload swaps at once, but the old model is released only when its last request ends', async () => {
    const { store } = countingStore();
    await saveCheckpoint(store, 'twiga', files, meta);
    const { factory, log } = counted();
    const host = new ModelHost({ store, name: 'twiga', predictors: factory, pollSeconds: 10 });
    await host.ensure();
    let finish: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const running = host.use(async (model) => {
      await held;
      return model.predictor.forecast(frame(), {});
    });
    await saveCheckpoint(store, 'twiga', files, meta);
    const next = await host.reload();
    expect(next.info.version).toBe(2);
    expect(host.active?.info.version).toBe(2);
    expect(log.released).toEqual([]);
    finish();
    const forecast = await running;
    expect(forecast.version).toBe(1);
    expect(log.released).toEqual([1]);
  });

  it('a failed reload leaves the old model serving and says why', async () => {
    const { store } = countingStore();
    await saveCheckpoint(store, 'twiga', files, meta);
    const host = new ModelHost({ store, name: 'twiga', predictors: counted().factory, pollSeconds: 10 });
    await host.ensure();
    const bad = await saveCheckpoint(store, 'twiga', files, meta);
    await store.put(`${bad.key}/pipeline.json`, new TextEncoder().encode('{}'));
    await expect(host.reload()).rejects.toThrow(/pipeline\.json/);
    expect(host.active?.info.version).toBe(1);
    expect(host.lastError).toMatch(/pipeline\.json/);
  });

  it('polls the manifest etag at most every pollSeconds and follows a promotion without a reload call', async () => {
    const { store, heads } = countingStore();
    await saveCheckpoint(store, 'twiga', files, meta);
    let now = 1_000_000;
    const warnings: string[] = [];
    const host = new ModelHost({
      store,
      name: 'twiga',
      predictors: counted().factory,
      pollSeconds: 10,
      now: () => now,
      warn: (m) => warnings.push(m),
    });
    await host.ensure();
    await host.refreshIfDue();
    expect(heads()).toBe(0);
    await saveCheckpoint(store, 'twiga', files, meta);
    now += 9_000;
    await host.refreshIfDue();
    expect(heads()).toBe(0);
    expect(host.active?.info.version).toBe(1);
    now += 2_000;
    await host.refreshIfDue();
    expect(heads()).toBe(1);
    expect(host.active?.info.version).toBe(2);
    // A promotion to a corrupt version: the refresh fails quietly, the old model serves on.
    const bad = await saveCheckpoint(store, 'twiga', files, meta);
    await store.put(`${bad.key}/linear.onnx`, new Uint8Array([1, 2, 3]));
    now += 11_000;
    await expect(host.refreshIfDue()).resolves.toBeUndefined();
    expect(host.active?.info.version).toBe(2);
    expect(warnings.join('\n')).toMatch(/still serving the old model[\s\S]*linear\.onnx: sha256 mismatch/);
  });

  it('with nothing loadable, retries the load at most every pollSeconds', async () => {
    const { store } = countingStore();
    let now = 0;
    let lists = 0;
    const counting: CheckpointStore = {
      ...store,
      get: (k) => store.get(k),
      head: (k) => store.head(k),
      put: (k, b, o) => store.put(k, b, o),
      delete: (k) => store.delete(k),
      describe: (k) => store.describe(k),
      list: (p) => {
        lists++;
        return store.list(p);
      },
    };
    const host = new ModelHost({
      store: counting,
      name: 'twiga',
      predictors: counted().factory,
      pollSeconds: 10,
      now: () => now,
    });
    await expect(host.ensure()).rejects.toThrow(/No checkpoint "twiga"/);
    await expect(host.ensure()).rejects.toThrow(/No checkpoint "twiga"/);
    expect(lists).toBe(1);
    await saveCheckpoint(store, 'twiga', files, meta);
    now += 11_000;
    expect((await host.ensure()).info.version).toBe(1);
  });
});
