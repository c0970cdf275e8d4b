/**
 * Inside workerd: the lean engine (WASM kernels from a `.wasm` module import) equals onnxruntime-web bit for bit on
 * every model kind we export and on the checkpoint trained in Node; both Worker entries report each model's engine.
 */
import { createExecutionContext, env, SELF, waitOnExecutionContext } from 'cloudflare:test';
import ortModule from 'onnxruntime-web/ort-wasm-simd-threaded.wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { R2CheckpointStore } from '../../../src/edge/r2-store.js';
import leanWorker, { type Env } from '../../../src/edge/worker-lean.js';
import { loadCheckpoint } from '../../../src/runtime/checkpoint/index.js';
import { Forecaster } from '../../../src/runtime/forecaster.js';
import { createLeanEngine } from '../../../src/runtime/lean/engine.js';
import { loadLeanWasm } from '../../../src/runtime/lean/wasm.js';
import { createOnnxEngine } from '../../../src/runtime/onnx/engine.js';
import leanModule from '../../../wasm/build/lean.wasm';
import { exportedCases, firstDifference } from '../../runtime/lean/random-models.js';
import { CHECKPOINT_NAME } from './provided.js';
import { recentRecords, seedCheckpoint } from './seed.js';

const ort = createOnnxEngine({ wasmModule: ortModule });
const lean = createLeanEngine({ kernels: loadLeanWasm(leanModule) });
const PREFIX = 'lean-test/';

beforeAll(async () => {
  await seedCheckpoint(PREFIX);
  await seedCheckpoint('');
});

describe('the lean engine inside workerd', () => {
  it.each(exportedCases().map((c) => [c.name, c] as const))('%s: equals ORT bit for bit', async (_, c) => {
    const expected = await (await ort.load(c.bytes, c.name)).run(c.features, c.nRows, c.nFeatures);
    const session = await lean.load(c.bytes, c.name);
    expect(session.engine).toBe('lean');
    const got = await session.run(c.features, c.nRows, c.nFeatures);
    const at = firstDifference(got, expected);
    expect(at, `lean ${got[at]} vs ORT ${expected[at]} at ${at}`).toBe(-1);
  });

  it('forecasts the checkpoint trained in Node exactly as ORT does', async () => {
    const loaded = await loadCheckpoint(
      new R2CheckpointStore(env.CHECKPOINTS, { prefix: PREFIX }),
      CHECKPOINT_NAME,
    );
    const records = recentRecords();
    const frame = {
      time: Float64Array.from(records, (r) => Date.parse(`${r['timestamp']}Z`)),
      columns: { net_load: Float64Array.from(records, (r) => Number(r['net_load'])) },
    };
    const onLean = await Forecaster.fromFiles(loaded.files, lean);
    const onOrt = await Forecaster.fromFiles(loaded.files, ort);
    expect(Object.values(onLean.engines)).toEqual(['lean', 'lean']);
    expect(Object.values(onOrt.engines)).toEqual(['ort', 'ort']);
    // Every origin of the records, not just the latest window.
    const origins = Array.from({ length: 48 }, (_, i) => frame.time.length - 48 - i);
    const a = await onLean.predictOrigins(frame, origins);
    const b = await onOrt.predictOrigins(frame, origins);
    for (const label of Object.keys(b.predictions)) {
      expect(Array.from(a.predictions[label]!), label).toEqual(Array.from(b.predictions[label]!));
    }
  });

  it('the default and the lean Worker say in /health that the lean engine runs each model', async () => {
    const health = (await (await SELF.fetch('http://twiga.test/health')).json()) as { engines: object };
    expect(health.engines).toEqual({ seasonal_naive_1D: 'lean', linear: 'lean' });
    const ctx = createExecutionContext();
    const response = await leanWorker.fetch(
      new Request('http://twiga.test/health'),
      env as unknown as Env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    const lean = (await response.json()) as { loaded: boolean; engines: object };
    expect(lean).toMatchObject({ loaded: true, engines: { seasonal_naive_1D: 'lean', linear: 'lean' } });
  });
});
