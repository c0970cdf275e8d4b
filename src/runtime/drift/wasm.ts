/** Loads the drift WASM core (from a precompiled module or bytes) and runs the kernel over its memory. */

import { DataError } from '../errors.js';
import { type WasmMemory, type WasmSource, wasmKernel } from '../wasm-kernel.js';
import { type DriftKernel, jsKernel, type SortedPair } from './kernel.js';

export type { WasmModuleLike } from '../wasm-kernel.js';

/** What `initDriftWasm` accepts: a compiled module (required on Workers) or the `.wasm` bytes. */
export type DriftWasmSource = WasmSource;

interface DriftExports {
  memory: WasmMemory;
  heapBase(): number;
  sortFinite(ptr: number, n: number, tmp: number): number;
  countUniqueUnion(pa: number, na: number, pb: number, nb: number, limit: number): number;
  ksStatistic(pa: number, na: number, pb: number, nb: number): number;
  ksPositive(): number;
  ksNegative(): number;
  wasserstein(pa: number, na: number, pb: number, nb: number): number;
  histogram(ptr: number, n: number, edges: number, nEdges: number, out: number): void;
}

const PAGE = 65536;
const SMALL = 4096 * 8;

let active: DriftKernel = jsKernel;

/** The kernel the statistics use: the WASM one once `initDriftWasm` resolved, plain JS before. */
export function driftKernel(): DriftKernel {
  return active;
}

/** Makes the statistics use `kernel` (e.g. `jsKernel` in tests comparing both). */
export function useDriftKernel(kernel: DriftKernel): void {
  active = kernel;
}

/**
 * Instantiates the drift WASM core and makes every statistic use it.
 *
 * @param source a precompiled `WebAssembly.Module` (Workers forbid compiling from bytes; wrangler
 *   turns `import wasm from '…/drift.wasm'` into one) or the module's bytes (Node: `readDriftWasm()`
 *   from `twiga-edge/node`; browsers: `fetch` + `arrayBuffer()`).
 * @returns the kernel, also installed as the active one.
 */
export async function initDriftWasm(source: DriftWasmSource): Promise<DriftKernel> {
  const instantiate = await wasmKernel<DriftExports>(
    source,
    'drift WASM core',
    (message) => new DataError(message),
  );
  const kernel = createWasmKernel(await instantiate());
  active = kernel;
  return kernel;
}

/** Buffers live in one region of WASM memory, [a | b | scratch | edges/counts], grown on demand. */
function createWasmKernel(e: DriftExports): DriftKernel {
  const base = e.heapBase();
  let capacity = 0;
  const layout = () => ({
    a: base,
    b: base + capacity * 8,
    tmp: base + 2 * capacity * 8,
    small: base + 3 * capacity * 8,
  });
  const ensure = (n: number) => {
    if (n <= capacity) return;
    capacity = Math.max(n, Math.ceil(capacity * 1.5), 1024);
    const need = base + 3 * capacity * 8 + 2 * SMALL;
    const have = e.memory.buffer.byteLength;
    if (need > have) e.memory.grow(Math.ceil((need - have) / PAGE));
  };
  return {
    kind: 'wasm',
    pair(a, b): SortedPair {
      ensure(Math.max(a.length, b.length, 1));
      const at = layout();
      const heap = new Float64Array(e.memory.buffer);
      heap.set(a, at.a / 8);
      heap.set(b, at.b / 8);
      const na = e.sortFinite(at.a, a.length, at.tmp);
      const nb = e.sortFinite(at.b, b.length, at.tmp);
      const ptr = (which: 'a' | 'b') => (which === 'a' ? at.a : at.b);
      const len = (which: 'a' | 'b') => (which === 'a' ? na : nb);
      return {
        na,
        nb,
        sorted: (which) => new Float64Array(e.memory.buffer, ptr(which), len(which)),
        ksDifferences: () => {
          e.ksStatistic(at.a, na, at.b, nb);
          return { positive: e.ksPositive(), negative: e.ksNegative() };
        },
        wasserstein: () => e.wasserstein(at.a, na, at.b, nb),
        uniqueUnion: (limit) => e.countUniqueUnion(at.a, na, at.b, nb, limit),
        histogram: (which, edges) => {
          const bins = Math.max(edges.length - 1, 0);
          if (edges.length > SMALL / 8) throw new DataError(`too many histogram edges (${edges.length})`);
          new Float64Array(e.memory.buffer, at.small, edges.length).set(edges);
          e.histogram(ptr(which), len(which), at.small, edges.length, at.small + SMALL);
          return new Float64Array(e.memory.buffer, at.small + SMALL, bins).slice();
        },
      };
    },
  };
}
