/**
 * Start-up shared by the project's own WASM kernels (drift statistics, the lean engine): compile when
 * given bytes, instantiate with an `abort` import that raises the caller's typed error. This core compiles
 * against no WebAssembly types, so the slice of the API it uses is declared here.
 */

/** Opaque stand-in for `WebAssembly.Module`. */
export type WasmModuleLike = object;

/** A compiled module (required on Workers, which forbid compiling from bytes) or the `.wasm` bytes. */
export type WasmSource = WasmModuleLike | Uint8Array | ArrayBuffer;

/** The memory export every AssemblyScript kernel has. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

interface WasmApi {
  instantiate(module: WasmModuleLike, imports: object): Promise<{ exports: unknown }>;
  compile(bytes: Uint8Array | ArrayBuffer): Promise<WasmModuleLike>;
}

/** Makes a new instance of the compiled kernel on every call (each with its own memory). */
export type KernelInstantiator<E> = () => Promise<E>;

/**
 * Compiles `source` once (if it is bytes) and returns a function that instantiates it.
 * @param what names the kernel in errors (`'drift WASM core'`).
 * @param fail builds the caller's error type from a message (DataError, ModelError…).
 */
export async function wasmKernel<E>(
  source: WasmSource,
  what: string,
  fail: (message: string) => Error,
): Promise<KernelInstantiator<E>> {
  const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  if (wasm === undefined) throw fail('WebAssembly is not available on this platform');
  const module =
    source instanceof Uint8Array || source instanceof ArrayBuffer ? await wasm.compile(source) : source;
  const imports = {
    env: {
      abort: () => {
        throw fail(`${what} aborted`);
      },
    },
  };
  return async () => (await wasm.instantiate(module, imports)).exports as E;
}
