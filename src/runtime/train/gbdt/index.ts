/** Histogram gradient boosting (LightGBM-class), one ensemble per output, exported as a `GbdtSpec`. */
import { DataError } from '../../errors.js';
import { predictGbdtSpec } from '../../models/gbdt.js';
import type { GbdtSpec } from '../../models/spec.js';
import { type TrainingBackend, trainingBackend } from '../backend.js';
import { type BinMatrix, binRows, fitBinMapper } from './binning.js';
import { boostOutput, column, type GbdtIteration, type OutputFit } from './booster.js';
import { localOps } from './ops.js';
import { type GbdtParams, resolveGbdtParams } from './params.js';
import { toSpec } from './to-spec.js';
import { createWorkspace } from './workspace.js';

export type { GbdtIteration } from './booster.js';
export { GBDT_DEFAULTS, type GbdtObjective, type GbdtParams, resolveGbdtParams } from './params.js';

/** Training rows: features row-major `[n, nFeatures]` (NaN = missing), targets row-major `[n, nOutputs]`. */
export interface GbdtData {
  x: Float64Array;
  y: Float64Array;
  n: number;
  nFeatures: number;
  nOutputs: number;
  /** Validation rows for early stopping, same layout. */
  valid?: { x: Float64Array; y: Float64Array; n: number };
}

/** How the spec is labelled and laid out, and where progress goes. */
export interface GbdtTrainOptions {
  /** @default 'gbdt' */
  label?: string;
  /** Output `h * nTargets + t` is step h of target t. @default nOutputs (one target) */
  horizon?: number;
  /** @default 1 */
  nTargets?: number;
  /** Called after every boosting round of every output. */
  onIteration?: (info: GbdtIteration) => void;
  /** The platform's capabilities (kernel, threads). @default the installed TrainingBackend */
  backend?: TrainingBackend;
}

/** How the threads were used. */
export type GbdtStrategy = 'single-thread' | 'row-halves' | 'outputs';

/** A trained ensemble and its record. */
export interface GbdtFit {
  spec: GbdtSpec;
  /** Trees kept per output (the round with the best validation loss when early stopping was on). */
  bestIteration: number[];
  /** Loss per round and output: `train[o][i]`, `valid[o][i]` (MSE or mean pinball loss). */
  history: { train: Float64Array[]; valid: Float64Array[] };
  /** The trainer's own predictions on the training rows (from the bins), row-major `[n, nOutputs]`. */
  trainPredictions: Float64Array;
  seconds: number;
  threads: number;
  strategy: GbdtStrategy;
}

function checkData(d: GbdtData): void {
  const { x, y, n, nFeatures: F, nOutputs: O } = d;
  const fail = (message: string, context: Record<string, unknown>) => {
    throw new DataError(`gbdt: ${message}`, context);
  };
  if (!Number.isInteger(n) || n < 1) fail(`needs at least 1 training row, got ${n}`, { n });
  if (!Number.isInteger(F) || F < 1 || !Number.isInteger(O) || O < 1) {
    fail(`nFeatures and nOutputs must be positive integers, got ${F} and ${O}`, {
      nFeatures: F,
      nOutputs: O,
    });
  }
  if (x.length !== n * F) fail(`x must hold n × nFeatures = ${n * F} values, got ${x.length}`, { n, F });
  if (y.length !== n * O) fail(`y must hold n × nOutputs = ${n * O} values, got ${y.length}`, { n, O });
  const v = d.valid;
  if (v && (v.x.length !== v.n * F || v.y.length !== v.n * O)) {
    fail(`validation x and y must hold ${v.n} × ${F} and ${v.n} × ${O} values`, { n: v.n });
  }
  for (const [name, ys] of [['y', y] as const, ['valid.y', v?.y ?? new Float64Array(0)] as const]) {
    const bad = ys.findIndex((t) => !Number.isFinite(t));
    if (bad >= 0) {
      fail(`${name} must be finite; row ${Math.floor(bad / O)}, output ${bad % O} is ${ys[bad]}`, {
        row: Math.floor(bad / O),
        output: bad % O,
      });
    }
  }
}

/** Row-major `[n, O]` targets → output-major columns on a SharedArrayBuffer. */
function columns(y: Float64Array, n: number, O: number): Float64Array {
  const out = new Float64Array(new SharedArrayBuffer(Math.max(8, n * O * 8)), 0, n * O);
  for (let r = 0; r < n; r++) for (let o = 0; o < O; o++) out[o * n + r] = y[r * O + o]!;
  return out;
}

interface Prepared {
  m: BinMatrix;
  mapper: ReturnType<typeof fitBinMapper>;
  yCols: Float64Array;
  valid?: { m: BinMatrix; yCols: Float64Array };
}

// Tuning trains many ensembles on the same rows: bin them once per (rows, maxBins, seed). Training copies the
// bins into its own workspace, so a cached matrix is never written.
const binnedCache = new WeakMap<GbdtData, Map<string, Prepared>>();

/** The quantile bins of `data` (and its targets as columns), computed once per data object and bin setting. */
function binned(data: GbdtData, maxBins: number, seed: number): Prepared {
  const key = `${maxBins}:${seed}`;
  const cached = binnedCache.get(data)?.get(key);
  if (cached) return cached;
  const { n, nFeatures: F, nOutputs: O } = data;
  const mapper = fitBinMapper(data.x, n, F, maxBins, seed);
  const v = data.valid;
  const prepared: Prepared = {
    m: binRows(mapper, data.x, n),
    mapper,
    yCols: columns(data.y, n, O),
    ...(v && v.n > 0 ? { valid: { m: binRows(mapper, v.x, v.n), yCols: columns(v.y, v.n, O) } } : {}),
  };
  const byKey = binnedCache.get(data) ?? new Map<string, Prepared>();
  byKey.set(key, prepared);
  binnedCache.set(data, byKey);
  return prepared;
}

/** Boosts the outputs on the calling thread, large histograms and partitions optionally halved with a helper. */
async function trainHere(
  d: Prepared,
  nOutputs: number,
  params: GbdtParams,
  withHelper: boolean,
  backend: TrainingBackend,
  onIteration?: (info: GbdtIteration) => void,
): Promise<OutputFit[]> {
  const ws = createWorkspace(d.m, params.numLeaves, backend);
  const helper = backend.gbdtThreads?.helper;
  const pool = withHelper && helper ? await helper(ws) : undefined;
  try {
    const ops = pool?.ops ?? localOps(ws);
    const fits: OutputFit[] = [];
    for (let o = 0; o < nOutputs; o++) {
      const data = {
        m: d.m,
        mapper: d.mapper,
        y: column(d.yCols, d.m.n, o),
        ...(d.valid ? { valid: { m: d.valid.m, y: column(d.valid.yCols, d.valid.m.n, o) } } : {}),
      };
      fits.push(boostOutput(data, ws, ops, params, o, onIteration));
    }
    return fits;
  } finally {
    await pool?.close();
  }
}

/**
 * Trains one gradient-boosted ensemble per output on shared quantile bins: leaf-wise growth bounded by
 * `numLeaves` and `maxDepth`, histogram subtraction, bagging and feature sampling per tree, early stopping
 * on `data.valid`. With several threads, several outputs are boosted in parallel (one worker per thread);
 * a single output shares each large histogram and partition with one helper thread, half of the rows each.
 * The result is the same for any thread count. The bins are cached per `data` object (tuning trains many
 * ensembles on one): do not change `data`'s arrays after a call.
 * @param params hyperparameters; missing fields take {@link GBDT_DEFAULTS}.
 * @throws ConfigError for out-of-range parameters, DataError for inconsistent shapes or non-finite targets.
 * @example
 * const fit = await trainGbdt({ x, y, n, nFeatures: 8, nOutputs: 24 }, { numTrees: 200, seed: 1 });
 * const forecast = predictGbdt(fit.spec, xNew, nNew); // [nNew, 24]
 */
export async function trainGbdt(
  data: GbdtData,
  params: Partial<GbdtParams> = {},
  options: GbdtTrainOptions = {},
): Promise<GbdtFit> {
  const t0 = performance.now();
  const backend = options.backend ?? trainingBackend();
  const p = resolveGbdtParams(params, backend);
  checkData(data);
  const { n, nFeatures: F, nOutputs: O } = data;
  const horizon = options.horizon ?? (options.nTargets === undefined ? O : O / options.nTargets);
  const nTargets = options.nTargets ?? O / horizon;
  if (!Number.isInteger(horizon) || !Number.isInteger(nTargets) || horizon * nTargets !== O) {
    throw new DataError(`gbdt: horizon × nTargets must equal nOutputs = ${O}`, { horizon, nTargets });
  }
  const prepared = binned(data, p.maxBins, p.seed);
  const runners = backend.gbdtThreads;
  // Without thread runners (Workers, browsers) every fit is single-thread: same trees, one core.
  const threads = runners ? Math.max(1, p.threads) : 1;
  let strategy: GbdtStrategy = 'single-thread';
  let fits: OutputFit[];
  if (runners && threads > 1 && O > 1) {
    strategy = 'outputs';
    fits = await runners.outputs({ ...prepared, nOutputs: O, params: p }, threads, options.onIteration);
  } else {
    if (threads > 1) strategy = 'row-halves';
    fits = await trainHere(prepared, O, p, threads > 1, backend, options.onIteration);
  }
  const trainPredictions = new Float64Array(n * O);
  fits.forEach((fit, o) => {
    for (let r = 0; r < n; r++) trainPredictions[r * O + o] = fit.trainPred[r]!;
  });
  return {
    spec: toSpec(fits, p, { label: options.label ?? 'gbdt', nFeatures: F, horizon, nTargets }),
    bestIteration: fits.map((f) => f.bestIteration),
    history: { train: fits.map((f) => f.trainLoss), valid: fits.map((f) => f.validLoss) },
    trainPredictions,
    seconds: (performance.now() - t0) / 1000,
    threads,
    strategy,
  };
}

/** The trainer's float64 predictions for features row-major `[n, nFeatures]`; returns `[n, nOutputs]`. */
export function predictGbdt(spec: GbdtSpec, x: Float64Array, n: number): Float64Array {
  return predictGbdtSpec(spec, x, n);
}
