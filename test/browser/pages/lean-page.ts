/** Parity page for test/browser/lean.test.ts: the lean engine (WASM and JS kernels) against ORT, in Chromium. */
import ortWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import { createLeanEngine } from '../../../src/runtime/lean/engine.js';
import { jsLeanKernels } from '../../../src/runtime/lean/kernels.js';
import { loadLeanWasm } from '../../../src/runtime/lean/wasm.js';
import { createOnnxEngine } from '../../../src/runtime/onnx/engine.js';
import leanWasmUrl from '../../../wasm/build/lean.wasm?url';
import { gemmModel, treeEnsembleModel } from '../../node/foreign-onnx.js';
import {
  exportedCases,
  firstDifference,
  type ParityCase,
  randomFeatures,
} from '../../runtime/lean/random-models.js';
import type { ParityResult } from '../lean-api.js';

function foreignCases(): ParityCase[] {
  const stumps = Array.from({ length: 60 }, (_, k) => ({
    target: k % 3,
    feature: k % 5,
    threshold: k % 4 === 0 ? 0 : (k % 7) / 3 - 1,
    left: (k % 11) / 10 - 0.5,
    right: (k % 13) / 10 - 0.6,
  }));
  const W = Array.from({ length: 40 }, (_, i) => Array.from({ length: 5 }, (_, j) => Math.sin(i * 5 + j)));
  return [
    ...['BRANCH_LEQ', 'BRANCH_LT', 'BRANCH_GTE', 'BRANCH_EQ'].map((mode) => ({
      name: `foreign trees ${mode}`,
      bytes: treeEnsembleModel(5, 3, stumps, [0.5, -1, 2], { mode }),
      features: randomFeatures(200, 5, 3, 0.1),
      nRows: 200,
      nFeatures: 5,
    })),
    {
      name: 'foreign Gemm',
      bytes: gemmModel(W, [1, 2, 3, 4, 5]),
      features: randomFeatures(30, 40, 4),
      nRows: 30,
      nFeatures: 40,
    },
  ];
}

async function run(): Promise<ParityResult[]> {
  const ort = createOnnxEngine({ wasmPaths: { wasm: ortWasmUrl } });
  const wasm = createLeanEngine({
    kernels: fetch(leanWasmUrl).then(async (r) => loadLeanWasm(await r.arrayBuffer())),
  });
  const js = createLeanEngine({ kernels: jsLeanKernels });
  const out: ParityResult[] = [];
  for (const c of [...exportedCases(), ...foreignCases()]) {
    const expected = await (await ort.load(c.bytes, c.name)).run(c.features, c.nRows, c.nFeatures);
    const onWasm = await wasm.load(c.bytes, c.name);
    const onJs = await js.load(c.bytes, c.name);
    out.push({
      name: c.name,
      engine: onWasm.engine,
      wasm: firstDifference(await onWasm.run(c.features, c.nRows, c.nFeatures), expected),
      js: firstDifference(await onJs.run(c.features, c.nRows, c.nFeatures), expected),
    });
  }
  return out;
}

(globalThis as unknown as { leanParity: typeof run }).leanParity = run;
document.getElementById('state')!.textContent = 'ready';
