/** The WASM training kernels (`wasm/build/gbdt.wasm`: histograms, subtraction, partitions) on shared memory. */
import { ModelError } from '../../errors.js';
import { type TrainingBackend, trainingBackend } from '../backend.js';

/** The slice of the WebAssembly JS API used here (the project's libs declare no WebAssembly values). */
interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => KernelMemory;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

/** A shared WebAssembly.Memory: every thread's kernel instance works on the same bytes. */
export interface KernelMemory {
  readonly buffer: SharedArrayBuffer;
}

/** The kernels, taking byte offsets into the memory (see `wasm/assembly/gbdt.ts`). */
export interface Kernel {
  histogram(
    words: number,
    rowWords: number,
    grad: number,
    begin: number,
    end: number,
    hist: number,
    w0: number,
    w1: number,
  ): void;
  subtract(parent: number, child: number, n: number): void;
  add(target: number, part: number, n: number): void;
  bestSplit(
    hist: number,
    nFeatures: number,
    nBins: number,
    mask: number,
    sumG: number,
    count: number,
    lambda: number,
    minC: number,
    minGain: number,
    out: number,
  ): void;
  partition(
    words: number,
    rows: number,
    grad: number,
    rowWords: number,
    src: number,
    begin: number,
    end: number,
    leftAt: number,
    rightAt: number,
    backward: number,
    word: number,
    shift: number,
    bin: number,
    missingLeft: number,
    flags: number,
  ): number;
}

const PAGE = 65536;
const MAX_PAGES = 65536;
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** A shared memory of at least `bytes` bytes. @throws ModelError past WebAssembly's 4 GiB. */
export function createKernelMemory(bytes: number): KernelMemory {
  const pages = Math.max(1, Math.ceil(bytes / PAGE));
  if (pages > MAX_PAGES) {
    throw new ModelError(
      `gbdt: training buffers need ${(bytes / 2 ** 30).toFixed(1)} GiB, over WebAssembly's 4 GiB; use fewer rows, features or leaves`,
      { bytes },
    );
  }
  return new wasm.Memory({ initial: pages, maximum: pages, shared: true });
}

/**
 * Instantiates the kernels on `memory` from the platform's compiled module (see `TrainingBackend.gbdtKernel`).
 * @param backend the capabilities to use. @default the installed ones (`setTrainingBackend`)
 * @throws ModelError when no platform provided the kernels.
 */
export function loadKernel(memory: KernelMemory, backend: TrainingBackend = trainingBackend()): Kernel {
  const compiled = backend.gbdtKernel?.();
  if (!compiled) {
    throw new ModelError('gbdt: no compiled gbdt.wasm kernel; install a TrainingBackend with gbdtKernel', {});
  }
  return new wasm.Instance(compiled, { env: { memory } }).exports as unknown as Kernel;
}
