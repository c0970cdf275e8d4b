/** Random models of every kind we export, and random inputs, for the engine parity tests and the engine bench. */

import { exportModel } from '../../../src/runtime/models/export.js';
import type { GbdtSpec, MlpSpec, WindowNorm } from '../../../src/runtime/models/spec.js';
import { mulberry32 } from '../../../src/runtime/synthetic.js';

/**
 * Complete binary trees of `depth`, each feeding one output: random features, thresholds on the inputs'
 * scale, random missing sides; leaf values in target units.
 */
export function randomGbdtSpec(o: {
  trees: number;
  depth: number;
  nFeatures: number;
  horizon: number;
  nTargets?: number;
  seed: number;
}): GbdtSpec {
  const rand = mulberry32(o.seed);
  const nTargets = o.nTargets ?? 1;
  const nOut = o.horizon * nTargets;
  const perTree = 2 ** (o.depth + 1) - 1;
  const nNodes = o.trees * perTree;
  const spec: GbdtSpec = {
    kind: 'gbdt',
    label: 'random_gbdt',
    nFeatures: o.nFeatures,
    horizon: o.horizon,
    nTargets,
    objective: 'squared_error',
    baseValues: Float64Array.from({ length: nOut }, () => rand() * 2 - 1),
    treeOutputs: Int32Array.from({ length: o.trees }, (_, t) => t % nOut),
    treeOffsets: Int32Array.from({ length: o.trees + 1 }, (_, t) => t * perTree),
    nodeFeature: new Int32Array(nNodes),
    nodeThreshold: new Float32Array(nNodes),
    nodeLeft: new Int32Array(nNodes),
    nodeRight: new Int32Array(nNodes),
    nodeMissingLeft: new Uint8Array(nNodes),
    nodeValue: new Float64Array(nNodes),
  };
  const internal = 2 ** o.depth - 1;
  for (let t = 0; t < o.trees; t++) {
    for (let k = 0; k < perTree; k++) {
      const at = t * perTree + k;
      if (k < internal) {
        spec.nodeFeature[at] = Math.floor(rand() * o.nFeatures);
        spec.nodeThreshold[at] = (rand() * 2 - 1) * 1.5;
        spec.nodeLeft[at] = 2 * k + 1;
        spec.nodeRight[at] = 2 * k + 2;
        spec.nodeMissingLeft[at] = rand() < 0.5 ? 1 : 0;
      } else {
        spec.nodeFeature[at] = -1;
        spec.nodeValue[at] = (rand() * 2 - 1) * 0.3;
      }
    }
  }
  return spec;
}

/** Standard-normal-ish features, `nanShare` of them missing. */
export function randomFeatures(nRows: number, nFeatures: number, seed: number, nanShare = 0): Float32Array {
  const rand = mulberry32(seed);
  return Float32Array.from({ length: nRows * nFeatures }, () =>
    rand() < nanShare ? Number.NaN : (rand() + rand() + rand() - 1.5) * 2,
  );
}

/**
 * Windows of a level-shifting daily series: `nTargets` blocks of `lookback` lags from `offset`, the other features
 * standard-normal-ish. Float32 values (the graph's input).
 */
export function windowFeatures(
  nRows: number,
  nFeatures: number,
  w: { lookback: number; targetLagOffset: number; nTargets: number },
  seed: number,
): Float32Array {
  const rand = mulberry32(seed);
  const x = randomFeatures(nRows, nFeatures, seed + 1);
  for (let r = 0; r < nRows; r++)
    for (let t = 0; t < w.nTargets; t++) {
      const level = (rand() - 0.5) * 6;
      const amp = 0.1 + rand();
      for (let k = 0; k < w.lookback; k++)
        x[r * nFeatures + w.targetLagOffset + t * w.lookback + k] =
          level + amp * Math.sin((2 * Math.PI * k) / 24) + (rand() - 0.5) * 0.2;
    }
  return x;
}

/** A random MLP (one hidden layer, shortcut) over `nFeatures`, for engine parity. */
export function randomMlpSpec(o: {
  nFeatures: number;
  hidden: number;
  horizon: number;
  nTargets: number;
  seed: number;
  /** The linear shortcut; lean and ORT differ with it once nFeatures passes MLAS's K block (see the note). */
  skip: boolean;
}): MlpSpec {
  const rand = mulberry32(o.seed);
  const nOut = o.horizon * o.nTargets;
  const dense = (inputs: number, outputs: number, bias = true) => ({
    inputs,
    outputs,
    weights: Float64Array.from({ length: inputs * outputs }, () => (rand() - 0.5) * 0.3),
    bias: Float64Array.from({ length: outputs }, () => (bias ? rand() - 0.5 : 0)),
  });
  return {
    kind: 'mlp',
    label: 'random_mlp',
    nFeatures: o.nFeatures,
    horizon: o.horizon,
    nTargets: o.nTargets,
    inputMean: Float64Array.from({ length: o.nFeatures }, () => (rand() - 0.5) * 0.2),
    inputScale: Float64Array.from({ length: o.nFeatures }, () => 0.5 + rand()),
    layers: [dense(o.nFeatures, o.hidden), dense(o.hidden, nOut)],
    ...(o.skip ? { skip: dense(o.nFeatures, nOut, false) } : {}),
    training: { epochs: 1, bestEpoch: 1, validationMae: null },
  };
}

/** A parity case: ONNX bytes and a batch of inputs. */
export interface ParityCase {
  name: string;
  bytes: Uint8Array;
  features: Float32Array;
  nRows: number;
  nFeatures: number;
  io?: { input?: string; output?: string };
}

function linearCase(
  name: string,
  F: number,
  horizon: number,
  nTargets: number,
  nRows: number,
  seed: number,
): ParityCase {
  const rand = mulberry32(seed);
  const nOut = horizon * nTargets;
  const bytes = exportModel({
    kind: 'linear',
    label: name,
    nFeatures: F,
    horizon,
    nTargets,
    weights: Float64Array.from({ length: F * nOut }, () => (rand() - 0.5) * 0.2),
    bias: Float64Array.from({ length: nOut }, () => rand() - 0.5),
    alpha: 1,
  });
  return { name, bytes, features: randomFeatures(nRows, F, seed + 1), nRows, nFeatures: F };
}

/** Every model kind we export, with random parameters and inputs (NaNs for the trees). */
export function exportedCases(): ParityCase[] {
  const gbdt = randomGbdtSpec({ trees: 100, depth: 6, nFeatures: 50, horizon: 4, nTargets: 2, seed: 5 });
  const seasonal = exportModel({
    kind: 'seasonal_naive',
    label: 'seasonal',
    seasonSteps: 24,
    lookback: 48,
    targetLagOffset: 3,
    horizon: 36,
    nTargets: 2,
    nFeatures: 3 + 2 * 48 + 5,
  });
  const sF = 3 + 2 * 48 + 5;
  // window_norm: one day of a one-week lookback; two targets of a two-week lookback and a one-week season
  // (2 · 168 season lags: more than MLAS's K block, and the variance's fused Add), lags after 3 other features.
  const day: WindowNorm = { seasonSteps: 24, lookback: 168, targetLagOffset: 0, eps: [1e-3] };
  const week: WindowNorm = { seasonSteps: 168, lookback: 336, targetLagOffset: 3, eps: [1e-3, 2e-3] };
  const dayF = 168 + 24 * 4;
  const weekF = 3 + 2 * 336 + 5;
  const normGbdt = (w: WindowNorm, F: number, nTargets: number, seed: number) => ({
    ...randomGbdtSpec({ trees: 60, depth: 5, nFeatures: F, horizon: 24, nTargets, seed }),
    windowNorm: w,
  });
  return [
    linearCase('linear day-ahead', 170, 24, 1, 300, 11),
    linearCase('linear odd outputs', 33, 7, 1, 50, 12),
    // More inputs than MLAS's K block (onnxruntime sums blocks of k separately).
    linearCase('linear blocked k', 1500, 24, 2, 20, 13),
    linearCase('linear one output, long k', 1300, 1, 1, 10, 14),
    {
      name: 'gbdt 100 trees depth 6',
      bytes: exportModel(gbdt),
      features: randomFeatures(1000, 50, 21, 0.1),
      nRows: 1000,
      nFeatures: 50,
    },
    {
      // Tree and row counts that are not multiples of four: the kernels' remainder loops.
      name: 'gbdt 37 trees depth 4',
      bytes: exportModel(randomGbdtSpec({ trees: 37, depth: 4, nFeatures: 9, horizon: 3, seed: 6 })),
      features: randomFeatures(999, 9, 22, 0.2),
      nRows: 999,
      nFeatures: 9,
    },
    {
      name: 'gbdt window_norm, one day of a week',
      bytes: exportModel(normGbdt(day, dayF, 1, 7)),
      features: windowFeatures(300, dayF, { ...day, nTargets: 1 }, 23),
      nRows: 300,
      nFeatures: dayF,
    },
    {
      name: 'gbdt window_norm, two targets, one week of two',
      bytes: exportModel(normGbdt(week, weekF, 2, 8)),
      features: windowFeatures(50, weekF, { ...week, nTargets: 2 }, 24),
      nRows: 50,
      nFeatures: weekF,
    },
    {
      name: 'mlp window_norm, two targets, one week of two',
      bytes: exportModel({
        ...randomMlpSpec({ nFeatures: weekF, hidden: 32, horizon: 24, nTargets: 2, seed: 9, skip: false }),
        windowNorm: week,
      }),
      features: windowFeatures(50, weekF, { ...week, nTargets: 2 }, 25),
      nRows: 50,
      nFeatures: weekF,
    },
    {
      // The shortcut's MatMul + Add with 200 inputs (within one MLAS K block).
      name: 'mlp window_norm with shortcut, one day of four',
      bytes: exportModel({
        ...randomMlpSpec({ nFeatures: 200, hidden: 16, horizon: 24, nTargets: 1, seed: 10, skip: true }),
        windowNorm: { ...day, lookback: 104 },
      }),
      features: windowFeatures(100, 200, { ...day, lookback: 104, nTargets: 1 }, 26),
      nRows: 100,
      nFeatures: 200,
    },
    {
      name: 'seasonal naive',
      bytes: seasonal,
      features: randomFeatures(40, sF, 31),
      nRows: 40,
      nFeatures: sF,
    },
  ];
}

/** Bitwise equality of two float32 outputs (NaN patterns included); the first differing index, or -1. */
export function firstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return i;
  return -1;
}
