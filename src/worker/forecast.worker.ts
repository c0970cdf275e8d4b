/**
 * The module Web Worker: the runtime behind comlink. The lean engine's and the drift core's WASM load on first
 * use; onnxruntime-web (its JS chunk and its WASM) only when a model needs it.
 */
import { expose, transfer } from 'comlink';
import driftWasmUrl from '../../wasm/build/drift.wasm?url';
import leanWasmUrl from '../../wasm/build/lean.wasm?url';
import { initDriftWasm } from '../runtime/drift/wasm.js';
import type { EngineChoice, InferenceEngine } from '../runtime/engine/contract.js';
import { selectEngine } from '../runtime/engine/select.js';
import { createLeanEngine } from '../runtime/lean/engine.js';
import { loadLeanWasm } from '../runtime/lean/wasm.js';
import type { ForecastWorkerApi } from './api.js';
import { ForecastService } from './service.js';

const fetchWasm = async (url: string) => (await fetch(url)).arrayBuffer();

let lean: InferenceEngine | undefined;
const engines = new Map<EngineChoice, InferenceEngine>();

function engineFor(choice: EngineChoice): InferenceEngine {
  lean ??= createLeanEngine({ kernels: fetchWasm(leanWasmUrl).then(loadLeanWasm) });
  let engine = engines.get(choice);
  if (!engine) {
    engine = selectEngine({
      choice,
      lean,
      ort: async () => (await import('./ort-engine.js')).createWorkerOrtEngine(),
    });
    engines.set(choice, engine);
  }
  return engine;
}

const service = new ForecastService({
  engine: async (choice) => engineFor(choice),
  initDrift: async () => initDriftWasm(await fetchWasm(driftWasmUrl)),
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
