/** The xgboost `hist` anchor: same data and settings, trained by Debian's python3-xgboost in a child process. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Regression } from './gbdt-data.js';

/** One xgboost run: training seconds (DMatrix building excluded, quantile sketching included) and test R². */
export interface XgboostRun {
  threads: number;
  seconds: number;
  r2: number;
}

export interface XgboostResult {
  python: string;
  version: string;
  runs: XgboostRun[];
}

/** The settings shared with our trainer. */
export interface AnchorSettings {
  numTrees: number;
  maxDepth: number;
  numLeaves: number;
  learningRate: number;
  minDataInLeaf: number;
  lambdaL2: number;
  maxBins: number;
}

const SCRIPT = `
import json, sys, time
import numpy as np, xgboost as xgb
path, n, F, n_train = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
s = json.loads(sys.argv[5])
X = np.fromfile(path + '/x.f32', dtype=np.float32).reshape(n, F)
y = np.fromfile(path + '/y.f64', dtype=np.float64)
Xtr, ytr, Xte, yte = X[:n_train], y[:n_train], X[n_train:], y[n_train:]
runs = []
for nt in s['threads']:
    dtrain = xgb.DMatrix(Xtr, label=ytr, nthread=nt)
    params = dict(tree_method='hist', grow_policy='lossguide', max_depth=s['maxDepth'], max_leaves=s['numLeaves'],
                  eta=s['learningRate'], min_child_weight=s['minDataInLeaf'], reg_lambda=s['lambdaL2'],
                  max_bin=s['maxBins'], base_score=float(ytr.mean()), objective='reg:squarederror', nthread=nt)
    t0 = time.perf_counter()
    booster = xgb.train(params, dtrain, s['numTrees'])
    seconds = time.perf_counter() - t0
    pred = booster.predict(xgb.DMatrix(Xte, nthread=nt))
    r2 = 1 - float(((yte - pred) ** 2).sum()) / float(((yte - yte.mean()) ** 2).sum())
    runs.append(dict(threads=nt, seconds=seconds, r2=r2))
print(json.dumps(dict(version=xgb.__version__, runs=runs)))
`;

/** The first of `python3`, `/usr/bin/python3` that imports xgboost (Debian's package lives under the system one). */
export function findPython(): string | undefined {
  for (const python of ['python3', '/usr/bin/python3']) {
    const probe = spawnSync(python, ['-c', 'import xgboost'], { stdio: 'ignore' });
    if (probe.status === 0) return python;
  }
  return undefined;
}

/** Trains xgboost on the first `nTrain` rows for each thread count; undefined when xgboost is not importable. */
export function runXgboost(
  data: Regression,
  nTrain: number,
  settings: AnchorSettings,
  threads: number[],
): XgboostResult | undefined {
  const python = findPython();
  if (python === undefined) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'twiga-gbdt-bench-'));
  try {
    writeFileSync(join(dir, 'x.f32'), new Uint8Array(Float32Array.from(data.x).buffer));
    writeFileSync(join(dir, 'y.f64'), new Uint8Array(data.y.buffer, data.y.byteOffset, data.y.byteLength));
    const args = [
      String(data.n),
      String(data.nFeatures),
      String(nTrain),
      JSON.stringify({ ...settings, threads }),
    ];
    const run = spawnSync(python, ['-c', SCRIPT, dir, ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (run.status !== 0) throw new Error(`xgboost run failed (${python}): ${run.stderr.trim()}`);
    const out = JSON.parse(run.stdout.trim().split('\n').pop()!) as Omit<XgboostResult, 'python'>;
    return { python, ...out };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
