/**
 * A Web Worker that trains with the platform-free trainers (src/runtime/train), as a browser app would:
 * gbdt.wasm compiled from its URL as the only platform capability, onnxruntime-web for the forecaster.
 */
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import { sha256Hex } from '../../../src/runtime/checkpoint/hash.js';
import { createOnnxEngine } from '../../../src/runtime/onnx/engine.js';
import { setTrainingBackend } from '../../../src/runtime/train/backend.js';
import gbdtWasmUrl from '../../../wasm/build/gbdt.wasm?url';
import { etth1Frame, TRAIN_MODELS, testForecasts, trainJob } from '../../edge/train-fixture.js';
import type { TrainOutcome, TrainRequest } from '../train-api.js';

const post = (outcome: TrainOutcome) => (self as unknown as Worker).postMessage(outcome);

self.onmessage = async (event: MessageEvent<TrainRequest>) => {
  const { csv, models } = event.data;
  const crossOriginIsolated = self.crossOriginIsolated;
  try {
    const kernel = await WebAssembly.compileStreaming(fetch(gbdtWasmUrl));
    setTrainingBackend({ gbdtKernel: () => kernel });
    const frame = etth1Frame(csv);
    const fit = await trainJob(frame, {
      engine: createOnnxEngine({ wasmPaths: { wasm: ortWasmUrl } }),
      models: TRAIN_MODELS.filter((m) => models.includes(m.name)),
    });
    const onnx: Record<string, string> = {};
    for (const [name, bytes] of Object.entries(fit.files))
      if (name.endsWith('.onnx')) onnx[name] = await sha256Hex(bytes);
    post({ ok: true, forecasts: await testForecasts(fit, frame), onnx, crossOriginIsolated });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    post({ ok: false, name: e.name, message: e.message, crossOriginIsolated });
  }
};
