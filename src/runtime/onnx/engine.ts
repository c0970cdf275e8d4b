/** ONNX inference on onnxruntime-web's WASM backend, the same engine in Node, browsers and workerd. */

import * as ort from 'onnxruntime-web/wasm';
import { checkBatch } from '../engine/check.js';
import type { InferenceEngine, InferenceSession, ModelIONames } from '../engine/contract.js';
import { resolveIONames } from '../engine/contract.js';
import { ModelError } from '../errors.js';

export type { ModelIONames } from '../engine/contract.js';

import type { WasmModuleLike } from '../wasm-kernel.js';

export type { WasmModuleLike } from '../wasm-kernel.js';

/** Platform capabilities for locating ORT's WASM. With none, ORT finds `ort-wasm-simd-threaded.wasm` next to its own module. */
export interface OnnxEngineOptions {
  /** Bytes of `onnxruntime-web/ort-wasm-simd-threaded.wasm`, when the host reads it itself. */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /** A precompiled `ort-wasm-simd-threaded.wasm`, for hosts that forbid compiling WASM from bytes (Workers). */
  wasmModule?: WasmModuleLike;
  /** Where ORT's `.wasm`/`.mjs` files are served: a URL prefix or per-file URLs. */
  wasmPaths?: string | { wasm?: string; mjs?: string };
  /** WASM threads; more than 1 needs SharedArrayBuffer (cross-origin isolation in browsers). @default 1 */
  numThreads?: number;
}

/** A loaded model (the {@link InferenceSession} contract; kept under its first name). */
export type OnnxModel = InferenceSession;

/** The {@link InferenceEngine} contract, kept under its first name. */
export type OnnxEngine = InferenceEngine;

const ioNames = resolveIONames;

interface WasmApi {
  instantiate(source: unknown, imports?: unknown): Promise<unknown>;
}

interface AppliedConfig {
  numThreads: number;
  wasmBinary: ArrayBuffer | Uint8Array | undefined;
  wasmModule: WasmModuleLike | undefined;
  wasmPaths: string | undefined;
}

/** ORT's `env` is one per JS realm and frozen once its WASM starts, so this module applies it once. */
let applied: AppliedConfig | undefined;
/** Marker handed to ORT as `wasmBinary` when a precompiled module should be used instead. */
let moduleSentinel: ArrayBuffer | undefined;
let firstSession: Promise<unknown> | undefined;

function conflicts(requested: OnnxEngineOptions, current: AppliedConfig): string[] {
  const out: string[] = [];
  if (requested.numThreads !== undefined && requested.numThreads !== current.numThreads)
    out.push('numThreads');
  if (requested.wasmBinary !== undefined && requested.wasmBinary !== current.wasmBinary)
    out.push('wasmBinary');
  if (requested.wasmModule !== undefined && requested.wasmModule !== current.wasmModule)
    out.push('wasmModule');
  const paths = requested.wasmPaths === undefined ? undefined : JSON.stringify(requested.wasmPaths);
  if (paths !== undefined && paths !== current.wasmPaths) out.push('wasmPaths');
  return out;
}

function configure(options: OnnxEngineOptions): void {
  if (applied) {
    const differing = conflicts(options, applied);
    if (differing.length > 0) {
      throw new ModelError(
        `onnxruntime-web is already configured; cannot change ${differing.join(', ')} for a second engine`,
        { differing, configured: { numThreads: applied.numThreads, wasmPaths: applied.wasmPaths } },
      );
    }
    return;
  }
  const numThreads = options.numThreads ?? 1;
  if (!Number.isInteger(numThreads) || numThreads < 1) {
    throw new ModelError(`numThreads must be a positive integer, got ${numThreads}`, { numThreads });
  }
  const wasm = ort.env.wasm;
  wasm.numThreads = numThreads;
  wasm.proxy = false;
  if (options.wasmPaths !== undefined) wasm.wasmPaths = options.wasmPaths;
  if (options.wasmModule !== undefined) {
    moduleSentinel = new ArrayBuffer(8);
    wasm.wasmBinary = moduleSentinel;
  } else if (options.wasmBinary !== undefined) {
    wasm.wasmBinary = options.wasmBinary;
  }
  applied = {
    numThreads,
    wasmBinary: options.wasmBinary,
    wasmModule: options.wasmModule,
    wasmPaths: options.wasmPaths === undefined ? undefined : JSON.stringify(options.wasmPaths),
  };
}

/**
 * While ORT starts, routes its `WebAssembly.instantiate(sentinelBytes)` to the precompiled module.
 * ORT's glue wraps `wasmBinary` in `new Uint8Array(buffer)`, so the sentinel is recognised by its buffer.
 */
async function withPrecompiledModule<T>(start: () => Promise<T>): Promise<T> {
  const module = applied?.wasmModule;
  const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  if (module === undefined || moduleSentinel === undefined) return start();
  const sentinel = moduleSentinel;
  const original = wasm.instantiate;
  wasm.instantiate = (source, imports) => {
    if (source instanceof Uint8Array && source.buffer === sentinel) {
      return original.call(wasm, module, imports).then((instance) => ({ instance, module }));
    }
    return original.call(wasm, source, imports);
  };
  try {
    return await start();
  } finally {
    wasm.instantiate = original;
  }
}

function createSession(bytes: Uint8Array): Promise<ort.InferenceSession> {
  const create = () => ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  if (firstSession === undefined) {
    // ORT instantiates its WASM during the first session; later sessions wait so the hook covers only that one.
    const session = withPrecompiledModule(create);
    firstSession = session;
    return session;
  }
  return firstSession.then(create, create);
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : String(err);
}

class OrtModel implements OnnxModel {
  readonly engine = 'ort' as const;
  #session: ort.InferenceSession | undefined;

  constructor(
    readonly label: string,
    session: ort.InferenceSession,
    private readonly names: { input: string; output: string },
  ) {
    this.#session = session;
  }

  async run(features: Float32Array, nRows: number, nFeatures: number): Promise<Float32Array> {
    const shape = [nRows, nFeatures];
    const context = checkBatch(this.label, features, nRows, nFeatures);
    const session = this.#session;
    if (!session) {
      throw new ModelError(`model "${this.label}" was released`, context, undefined, 'INFERENCE_ERROR');
    }
    let output: ort.Tensor | undefined;
    try {
      const result = await session.run({ [this.names.input]: new ort.Tensor('float32', features, shape) }, [
        this.names.output,
      ]);
      output = result[this.names.output];
    } catch (err) {
      throw new ModelError(
        `model "${this.label}" failed on features [${shape.join(', ')}]: ${describe(err)}`,
        { ...context, stage: 'run' },
        err,
        'INFERENCE_ERROR',
      );
    }
    if (!output || !(output.data instanceof Float32Array)) {
      throw new ModelError(
        `model "${this.label}": output "${this.names.output}" is missing or not float32`,
        { ...context, stage: 'run', outputType: output?.type },
        undefined,
        'INFERENCE_ERROR',
      );
    }
    return output.data;
  }

  async release(): Promise<void> {
    const session = this.#session;
    this.#session = undefined;
    await session?.release();
  }
}

/**
 * Creates an inference engine. ORT's environment is global to the JS realm: the first engine created
 * applies its options; later engines share that setup, and asking one for different options throws a
 * {@link ModelError} rather than being silently ignored. Failures from ORT become `ModelError`s with
 * code `INFERENCE_ERROR` and `context.stage` `'load'` or `'run'`.
 * @param options platform capabilities; none are needed in Node or where ORT's files sit beside its module.
 * @example
 * const engine = createOnnxEngine();
 * const model = await engine.load(bytes, 'linear');
 * const forecast = await model.run(features, nRows, nFeatures);
 */
export function createOnnxEngine(options: OnnxEngineOptions = {}): OnnxEngine {
  configure(options);
  return {
    async load(bytes: Uint8Array, label: string, io: ModelIONames = {}): Promise<OnnxModel> {
      let session: ort.InferenceSession;
      try {
        session = await createSession(bytes);
      } catch (err) {
        throw new ModelError(
          `model "${label}" could not be loaded (${bytes.byteLength} bytes): ${describe(err)}`,
          { label, byteLength: bytes.byteLength, stage: 'load' },
          err,
          'INFERENCE_ERROR',
        );
      }
      const names = ioNames(label, session.inputNames, session.outputNames, io);
      if (typeof names === 'string') {
        const found = { inputs: [...session.inputNames], outputs: [...session.outputNames] };
        await session.release();
        throw new ModelError(names, { label, ...found, stage: 'load' });
      }
      return new OrtModel(label, session, names);
    },
  };
}
