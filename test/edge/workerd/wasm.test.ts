/** Inside workerd: ORT and the drift core start from `.wasm` module imports and give Node's results. */
import { env } from 'cloudflare:test';
import ortModule from 'onnxruntime-web/ort-wasm-simd-threaded.wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { R2CheckpointStore } from '../../../src/edge/r2-store.js';
import { initEdgeRuntime } from '../../../src/edge/wasm.js';
import { loadCheckpoint } from '../../../src/runtime/checkpoint/index.js';
import { jsKernel, ks2samp } from '../../../src/runtime/drift/index.js';
import { driftKernel, useDriftKernel } from '../../../src/runtime/drift/wasm.js';
import { Forecaster } from '../../../src/runtime/forecaster.js';
import type { Frame } from '../../../src/runtime/frame.js';
import driftModule from '../../../wasm/build/drift.wasm';
import { CHECKPOINT_NAME } from './provided.js';
import { recentRecords, seedCheckpoint } from './seed.js';

/** The slice of the WebAssembly JS API used here (the project's libs declare no WebAssembly values). */
interface WasmApi {
  Module: abstract new (...args: never[]) => object;
  instantiate(source: unknown, imports?: unknown): Promise<unknown>;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
const PREFIX = 'wasm-test/';

function recordsFrame(): Frame {
  const records = recentRecords();
  return {
    time: Float64Array.from(records, (r) => Date.parse(`${r['timestamp']}Z`)),
    columns: { net_load: Float64Array.from(records, (r) => Number(r['net_load'])) },
  };
}

beforeAll(async () => {
  await seedCheckpoint(PREFIX);
});

describe('initEdgeRuntime inside workerd', () => {
  it('gets both cores as precompiled WebAssembly.Modules and compiles nothing from bytes', async () => {
    expect(ortModule).toBeInstanceOf(wasm.Module);
    expect(driftModule).toBeInstanceOf(wasm.Module);
    const original = wasm.instantiate;
    const fromBytes: unknown[] = [];
    wasm.instantiate = (source, imports) => {
      if (!(source instanceof wasm.Module)) fromBytes.push(source);
      return original.call(wasm, source, imports);
    };
    try {
      const runtime = await initEdgeRuntime();
      expect(await initEdgeRuntime()).toBe(runtime);
      const loaded = await loadCheckpoint(
        new R2CheckpointStore(env.CHECKPOINTS, { prefix: PREFIX }),
        CHECKPOINT_NAME,
      );
      await Forecaster.fromFiles(loaded.files, runtime.engine);
    } finally {
      wasm.instantiate = original;
    }
    expect(fromBytes).toEqual([]);
  });

  it('forecasts from the checkpoint in R2 through ORT, matching Node to float32 precision', async () => {
    const { engine } = await initEdgeRuntime();
    const store = new R2CheckpointStore(env.CHECKPOINTS, { prefix: PREFIX, bucketName: 'twiga-checkpoints' });
    const loaded = await loadCheckpoint(store, CHECKPOINT_NAME);
    const forecaster = await Forecaster.fromFiles(loaded.files, engine);
    const frame = recordsFrame();
    const batch = await forecaster.predictLatest(frame);
    expect(batch.origins).toEqual([frame.time.length]);
    expect(batch.horizon).toBe(48);
    expect(Object.keys(batch.predictions)).toEqual(['seasonal_naive_1D', 'linear', 'ensemble']);
    for (const [label, values] of Object.entries(batch.predictions)) {
      expect(values).toHaveLength(48);
      expect(values.every(Number.isFinite)).toBe(true);
      const node = env.TEST_NODE_FORECAST[label]!;
      values.forEach((v, h) => {
        expect(Math.abs(v - node[h]!)).toBeLessThanOrEqual(1e-6 * Math.abs(node[h]!));
      });
    }
    const yesterday = frame.columns['net_load']!.subarray(-48);
    batch.predictions['seasonal_naive_1D']!.forEach((v, h) => {
      expect(v).toBeCloseTo(yesterday[h]!, 2);
    });
  });

  it('runs ks2samp on the WASM drift kernel with the JS kernel’s result', async () => {
    await initEdgeRuntime();
    const kernel = driftKernel();
    expect(kernel.kind).toBe('wasm');
    const load = recordsFrame().columns['net_load']!;
    const [a, b] = [load.subarray(0, 240), load.subarray(240)];
    const onWasm = ks2samp(a, b);
    useDriftKernel(jsKernel);
    try {
      expect(ks2samp(a, b)).toEqual(onWasm);
    } finally {
      useDriftKernel(kernel);
    }
    expect(onWasm.statistic).toBeGreaterThan(0);
    expect(onWasm.pvalue).toBeGreaterThanOrEqual(0);
    expect(onWasm.pvalue).toBeLessThanOrEqual(1);
  });
});
