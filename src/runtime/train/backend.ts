/** What a platform lends the platform-free trainers: the compiled GBDT kernels, threads, holidays, logging. */
import type { PipelineConfig } from '../schemas/pipeline-config.js';
import type { BinMapper, BinMatrix } from './gbdt/binning.js';
import type { GbdtIteration, OutputFit } from './gbdt/booster.js';
import type { TreeOps } from './gbdt/ops.js';
import type { GbdtParams } from './gbdt/params.js';
import type { Workspace } from './gbdt/workspace.js';

/** Progress and warnings of a training job (Node's CLI logger satisfies it). */
export interface TrainingLogger {
  info(message: string): void;
  warn(message: string): void;
  /** Start a step of a multi-step job. */
  step(name: string): void;
  done(): void;
}

/**
 * The capabilities a platform passes to the trainers. Only `gbdtKernel` is needed to train GBDT; the rest
 * lets Node use its worker threads and date-holidays (the results are the same without them).
 */
export interface TrainingBackend {
  /** The compiled `wasm/build/gbdt.wasm` (a `WebAssembly.Module`), asked for when a GBDT workspace is made. */
  gbdtKernel?: () => object;
  /** Threads a GBDT fit uses when its config sets none. @default 1 */
  defaultThreads?: number;
  /**
   * Resolves a pipeline's holiday calendar to dates over the data's years. Without it, a config naming a
   * holiday calendar without resolved dates is a ConfigError on `holidays`.
   */
  resolveHolidays?: (config: PipelineConfig, time: ArrayLike<number>) => PipelineConfig;
  /** Parallel GBDT runners (Node's worker threads); the single-thread path is used without them. */
  gbdtThreads?: GbdtThreadRunners;
}

/** Shared inputs of every output of one GBDT fit; targets are output-major (`yCols[o * n + r]`). */
export interface GbdtOutputsInput {
  m: BinMatrix;
  mapper: BinMapper;
  yCols: Float64Array;
  nOutputs: number;
  valid?: { m: BinMatrix; yCols: Float64Array };
  params: GbdtParams;
}

/** Parallel GBDT runners (Node's worker threads); each gives the single-thread result exactly. */
export interface GbdtThreadRunners {
  /** Boosts several outputs in parallel, one worker per thread. */
  outputs: (
    job: GbdtOutputsInput,
    threads: number,
    onIteration?: (info: GbdtIteration) => void,
  ) => Promise<OutputFit[]>;
  /** Starts a helper thread sharing large histograms and partitions of one output, half of the rows each. */
  helper: (workspace: Workspace) => Promise<{ ops: TreeOps; close(): Promise<void> }>;
}
let current: TrainingBackend = {};

/** Installs the platform's training capabilities (Node does this when its training modules load). */
export function setTrainingBackend(backend: TrainingBackend): void {
  current = backend;
}

/** The installed training capabilities (empty until a platform installs some). */
export function trainingBackend(): TrainingBackend {
  return current;
}
