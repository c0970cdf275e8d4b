/** The module Web Worker: the runtime behind comlink; ORT's and the drift core's WASM load on first use. */
import { expose, transfer } from 'comlink';
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import driftWasmUrl from '../../wasm/build/drift.wasm?url';
import { initDriftWasm } from '../runtime/drift/wasm.js';
import { createOnnxEngine } from '../runtime/onnx/engine.js';
import type { ForecastWorkerApi } from './api.js';
import { ForecastService } from './service.js';

const service = new ForecastService({
  // ORT fetches its .wasm only when the first model loads: the page and this worker start without it.
  engine: async () => createOnnxEngine({ wasmPaths: { wasm: ortWasmUrl } }),
  initDrift: async () => initDriftWasm(await (await fetch(driftWasmUrl)).arrayBuffer()),
});

const api: ForecastWorkerApi = {
  load: (source, options) => service.load(source, options),
  listModels: (source) => service.listModels(source),
  unload: (name) => service.unload(name),
  predict: (input, options) => service.predict(input, options),
  predictInterval: (input, options) => service.predictInterval(input, options),
  async predictWindows(input, options) {
    const reply = await service.predictWindows(input, options);
    if (!reply.ok) return reply;
    // Large result arrays move to the page instead of being copied.
    const { originTimes, predictions } = reply.value;
    return transfer(reply, [
      originTimes.buffer as ArrayBuffer,
      ...Object.values(predictions).map((p) => p.buffer as ArrayBuffer),
    ]);
  },
  detectDrift: (input, options) => service.detectDrift(input, options),
  health: () => service.health(),
};

expose(api);
