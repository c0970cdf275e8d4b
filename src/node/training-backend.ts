/** Node's training capabilities: gbdt.wasm read from disk, worker-thread GBDT, date-holidays, up to 4 threads. */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { setTrainingBackend, type TrainingBackend } from '../runtime/train/backend.js';
import { withHolidays } from './holidays.js';
import { startHelper } from './trainers/gbdt/helpers.js';
import { trainOutputsInWorkers } from './trainers/gbdt/output-pool.js';

/** `wasm/build/gbdt.wasm` of this package (the same relative path from `src/node` and `dist/node`). */
const WASM_URL = new URL('../../wasm/build/gbdt.wasm', import.meta.url);
const wasm = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => object } })
  .WebAssembly;
let compiled: object | undefined;

/** The backend Node installs: every thread compiles the kernels once. */
export const nodeTrainingBackend: TrainingBackend = {
  gbdtKernel: () => {
    compiled ??= new wasm.Module(readFileSync(WASM_URL));
    return compiled;
  },
  defaultThreads: Math.min(availableParallelism(), 4),
  resolveHolidays: withHolidays,
  gbdtThreads: { outputs: trainOutputsInWorkers, helper: startHelper },
};

setTrainingBackend(nodeTrainingBackend);
