/** Node's capability for the drift core: the package's `drift.wasm` bytes, read relative to this module. */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type DriftKernel, initDriftWasm } from '../runtime/drift/index.js';

/** `wasm/build/drift.wasm` of this package (the same path from `src/node` and `dist/node`). */
export const DRIFT_WASM_PATH = fileURLToPath(new URL('../../wasm/build/drift.wasm', import.meta.url));

/** The drift WASM core's bytes. */
export function readDriftWasm(): Promise<Uint8Array> {
  return readFile(DRIFT_WASM_PATH);
}

let loading: Promise<DriftKernel> | undefined;

/** Reads and instantiates the drift WASM core once; every runtime statistic then runs on it. */
export function initNodeDriftWasm(): Promise<DriftKernel> {
  loading ??= readDriftWasm().then((bytes) => initDriftWasm(bytes));
  return loading;
}
