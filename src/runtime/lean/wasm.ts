/** The lean engine's WASM kernels (wasm/assembly/lean.ts): one instance per prepared constant, memory grown on demand. */
import { ModelError } from '../errors.js';
import { type WasmMemory, type WasmSource, wasmKernel } from '../wasm-kernel.js';
import {
  type ForestRunner,
  type LeanKernels,
  type MatmulRunner,
  MLAS_STRIDE_K,
  type PackedForest,
} from './kernels.js';

export type { WasmModuleLike } from '../wasm-kernel.js';

/** A compiled `lean.wasm` (required on Workers) or its bytes. */
export type LeanWasmSource = WasmSource;

interface LeanExports {
  memory: WasmMemory;
  heapBase(): number;
  forest(
    nodes: number,
    leaves: number,
    roots: number,
    depths: number,
    nTrees: number,
    weights: number,
    base: number,
    covered: number,
    nOut: number,
    x: number,
    nRows: number,
    nFeatures: number,
    out: number,
    allLeq: number,
  ): void;
  matmul(
    a: number,
    n: number,
    k: number,
    b: number,
    m: number,
    bias: number,
    strideK: number,
    out: number,
  ): void;
}

const PAGE = 65536;
const align = (n: number) => (n + 15) & ~15;

/** A bump layout over one instance's memory: constants first, then the per-run buffers. */
class Arena {
  readonly e: LeanExports;
  top: number;
  constructor(e: LeanExports) {
    this.e = e;
    this.top = e.heapBase();
  }
  /** Reserves `bytes` at the top; returns the offset. */
  take(bytes: number): number {
    const at = this.top;
    this.top = align(at + bytes);
    this.reserve(this.top);
    return at;
  }
  reserve(end: number): void {
    const have = this.e.memory.buffer.byteLength;
    if (end > have) this.e.memory.grow(Math.ceil((end - have) / PAGE));
  }
  put(
    src: ArrayLike<number> & { byteLength: number; BYTES_PER_ELEMENT: number },
    ctor: typeof Int32Array | typeof Float32Array | typeof Uint8Array,
  ): number {
    const at = this.take(src.byteLength);
    new ctor(this.e.memory.buffer, at, src.length).set(src as ArrayLike<number>);
    return at;
  }
}

function wasmForest(e: LeanExports, f: PackedForest): ForestRunner {
  const arena = new Arena(e);
  const nodes = arena.put(f.nodes, Int32Array);
  const leaves = arena.put(f.leaves, Int32Array);
  const depths = arena.put(f.depths, Int32Array);
  const weights = arena.put(f.weights, Int32Array);
  const roots = arena.put(f.roots, Int32Array);
  const base = arena.put(f.base, Float32Array);
  const covered = arena.put(f.covered, Uint8Array);
  const scratch = arena.top;
  return {
    run(x, nRows, nFeatures) {
      const xAt = scratch;
      const outAt = align(xAt + x.byteLength);
      arena.reserve(outAt + nRows * f.nOut * 4);
      new Float32Array(e.memory.buffer, xAt, x.length).set(x);
      e.forest(
        nodes,
        leaves,
        roots,
        depths,
        f.roots.length,
        weights,
        base,
        covered,
        f.nOut,
        xAt,
        nRows,
        nFeatures,
        outAt,
        f.allLeq ? 1 : 0,
      );
      return new Float32Array(e.memory.buffer, outAt, nRows * f.nOut).slice();
    },
  };
}

function wasmMatmul(
  e: LeanExports,
  b: Float32Array,
  k: number,
  m: number,
  bias: Float32Array | undefined,
): MatmulRunner {
  const arena = new Arena(e);
  const bAt = arena.put(b, Float32Array);
  const biasAt = bias ? arena.put(bias, Float32Array) : 0;
  const strideK = MLAS_STRIDE_K;
  const scratch = arena.top;
  return {
    run(a, n) {
      const outAt = align(scratch + a.byteLength);
      arena.reserve(outAt + n * m * 4);
      new Float32Array(e.memory.buffer, scratch, a.length).set(a);
      e.matmul(scratch, n, k, bAt, m, biasAt, strideK, outAt);
      return new Float32Array(e.memory.buffer, outAt, n * m).slice();
    },
  };
}

/**
 * Compiles (when given bytes) the lean WASM kernels. Each prepared model constant gets its own instance,
 * so releasing a model frees its memory with it.
 * @param source a precompiled `WebAssembly.Module` (Workers: `import lean from '…/lean.wasm'`) or the bytes
 *   (Node: `readLeanWasm()` from `twiga-edge/node`; browsers: `fetch` + `arrayBuffer()`).
 */
export async function loadLeanWasm(source: LeanWasmSource): Promise<LeanKernels> {
  const instance = await wasmKernel<LeanExports>(source, 'lean WASM kernel', (m) => new ModelError(m));
  // Instantiate once now so a bad module fails here, not on the first model.
  await instance();
  return {
    kind: 'wasm',
    forest: async (f) => wasmForest(await instance(), f),
    matmul: async (b, k, m, bias) => wasmMatmul(await instance(), b, k, m, bias),
  };
}
