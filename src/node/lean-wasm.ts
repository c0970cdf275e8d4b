/** Node's capability for the lean engine: the package's `lean.wasm` bytes, read relative to this module. */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { LeanKernels } from '../runtime/lean/kernels.js';
import { loadLeanWasm } from '../runtime/lean/wasm.js';

/** `wasm/build/lean.wasm` of this package (the same path from `src/node` and `dist/node`). */
export const LEAN_WASM_PATH = fileURLToPath(new URL('../../wasm/build/lean.wasm', import.meta.url));

/** The lean engine's WASM kernels' bytes. */
export function readLeanWasm(): Promise<Uint8Array> {
  return readFile(LEAN_WASM_PATH);
}

let loading: Promise<LeanKernels> | undefined;

/** Reads and compiles the lean WASM kernels once per process (a failure is retried on the next call). */
export function nodeLeanKernels(): Promise<LeanKernels> {
  loading ??= readLeanWasm()
    .then((bytes) => loadLeanWasm(bytes))
    .catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
  return loading;
}
