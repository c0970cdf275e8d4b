/** ForecastThreadPool: the same forecasts as in-process, typed errors across the thread boundary, and a dead thread replaced. */
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inProcessPredictors } from '../../src/edge/predictor.js';
import { FsCheckpointStore } from '../../src/node/fs-store.js';
import { ForecastThreadPool } from '../../src/node/pool/thread-pool.js';
import { loadCheckpoint } from '../../src/runtime/checkpoint/checkpoint.js';
import { DataError, ModelError } from '../../src/runtime/errors.js';
import type { Frame } from '../../src/runtime/frame.js';
import { createOnnxEngine } from '../../src/runtime/onnx/engine.js';
import { buildServingFixture, CHECKPOINT_NAME, type ServingFixture } from '../edge/fixture.js';

let fixture: ServingFixture;
let files: Record<string, Uint8Array>;
let pool: ForecastThreadPool;

const frame = (): Frame => ({
  time: Float64Array.from(fixture.records, (r) => Date.parse(`${r.timestamp}Z`)),
  columns: { net_load: Float64Array.from(fixture.records, (r) => r.net_load) },
});

beforeAll(async () => {
  fixture = await buildServingFixture();
  files = (await loadCheckpoint(new FsCheckpointStore(fixture.root), CHECKPOINT_NAME)).files;
  pool = new ForecastThreadPool({ size: 2, warn: () => undefined });
}, 120_000);

afterAll(async () => {
  await pool?.close();
  await rm(fixture.dir, { recursive: true, force: true });
});

describe('ForecastThreadPool', () => {
  it('forecasts exactly what the in-process predictor does, in parallel across threads', async () => {
    const inThreads = await pool.create(files, 1);
    const here = await inProcessPredictors(createOnnxEngine()).create(files, 1);
    const want = await here.forecast(frame(), { levels: [0.9] });
    const got = await Promise.all(
      Array.from({ length: 8 }, () => inThreads.forecast(frame(), { levels: [0.9] })),
    );
    for (const g of got) expect(g).toEqual(want);
    expect(want).toEqual({ ...fixture.predicted, intervals: want.intervals });
    await inThreads.release();
    await here.release();
  });

  it('moves the frame to the thread instead of copying it', async () => {
    const predictor = await pool.create(files, 1);
    const f = frame();
    await predictor.forecast(f, {});
    expect(f.time.byteLength).toBe(0);
    await predictor.release();
  });

  it('brings errors back with their class, code and context', async () => {
    const predictor = await pool.create(files, 1);
    const short = frame();
    const few = {
      time: short.time.slice(0, 10),
      columns: { net_load: short.columns['net_load']!.slice(0, 10) },
    };
    const error = await predictor.forecast(few, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DataError);
    expect((error as DataError).code).toBe('DATA_INVALID');
    expect((error as DataError).message).toMatch(/need at least 96 rows/);
    const level = await predictor.forecast(frame(), { levels: [0.9999] }).catch((e: unknown) => e);
    expect(level).toBeInstanceOf(ModelError);
    await predictor.release();
    const broken = { ...files, 'linear.onnx': new TextEncoder().encode('garbage') };
    await expect(pool.create(broken, 2)).rejects.toThrow(/model "linear" could not be loaded/);
  });

  it('replaces a thread that dies and keeps serving the loaded models', async () => {
    const predictor = await pool.create(files, 1);
    const before = await predictor.forecast(frame(), {});
    const dead = pool.workers[0]!.threadId;
    // Fault injected on purpose: terminate one thread from outside, as a crash would.
    await pool.workers[0]!.terminate();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const after = await Promise.all(Array.from({ length: 6 }, () => predictor.forecast(frame(), {})));
    for (const a of after) expect(a).toEqual(before);
    expect(pool.size).toBe(2);
    expect(pool.workers.map((w) => w.threadId)).not.toContain(dead);
    await predictor.release();
  });
});
