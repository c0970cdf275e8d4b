/** The per-step (one model per output) case: 24 outputs sharing one binned matrix, on 1 and 2 threads. */
import { cpus } from 'node:os';
import { predictGbdt, trainGbdt } from '../src/node/trainers/gbdt/index.js';
import { mulberry32 } from '../src/runtime/synthetic.js';
import { r2 } from './gbdt-data.js';

/** One multi-output run. */
export interface MultiRun {
  threads: number;
  strategy: string;
  seconds: number;
  cpuSeconds: number;
  /** Mean test R² over the outputs. */
  r2: number;
}

/**
 * `n × 50` features and 24 outputs, output h a different smooth function of lagged-like features plus noise
 * (a day-ahead forecast in miniature); 50 trees per output, 31 leaves.
 */
export async function runMulti(n: number, threadCounts: number[]): Promise<MultiRun[]> {
  const F = 50;
  const O = 24;
  const rand = mulberry32(99);
  const x = Float64Array.from({ length: n * F }, () => Math.fround(rand() * 2 - 1));
  const y = new Float64Array(n * O);
  for (let r = 0; r < n; r++) {
    const v = x.subarray(r * F, r * F + F);
    for (let h = 0; h < O; h++) {
      const phase = (2 * Math.PI * h) / O;
      y[r * O + h] = Math.sin(3 * v[h]! + phase) + v[24]! * v[25]! * Math.cos(phase) + 0.3 * (rand() - 0.5);
    }
  }
  const nTrain = Math.round(n * 0.8);
  const runs: MultiRun[] = [];
  for (const threads of threadCounts) {
    const cpu0 = process.cpuUsage();
    const fit = await trainGbdt(
      { x: x.subarray(0, nTrain * F), y: y.subarray(0, nTrain * O), n: nTrain, nFeatures: F, nOutputs: O },
      {
        numTrees: 50,
        learningRate: 0.1,
        numLeaves: 31,
        maxDepth: -1,
        earlyStoppingRounds: 0,
        seed: 3,
        threads,
      },
      { horizon: O, nTargets: 1 },
    );
    const cpu = process.cpuUsage(cpu0);
    const pred = predictGbdt(fit.spec, x.subarray(nTrain * F), n - nTrain);
    let sum = 0;
    for (let h = 0; h < O; h++) {
      const col = (a: Float64Array, k: number) => Float64Array.from({ length: k }, (_, r) => a[r * O + h]!);
      sum += r2(col(y.subarray(nTrain * O), n - nTrain), col(pred, n - nTrain));
    }
    runs.push({
      threads,
      strategy: fit.strategy,
      seconds: fit.seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      r2: sum / O,
    });
    const last = runs.at(-1)!;
    console.log(
      `per-step ${threads} thread(s): ${last.seconds.toFixed(2)} s (CPU ${last.cpuSeconds.toFixed(2)} s), mean R² ${last.r2.toFixed(4)} (${last.strategy}; ${cpus().length} CPUs)`,
    );
  }
  return runs;
}
