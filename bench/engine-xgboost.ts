/**
 * The xgboost anchor of `bench/engine.ts`: Debian's python3-xgboost trains a 100-tree, depth-6 ensemble in a child
 * process, times its own `inplace_predict` (batch 1 and 1,000) and dumps the trees, which become our GbdtSpec so
 * the lean engine and ORT run exactly xgboost's trees.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GbdtSpec } from '../src/runtime/models/spec.js';
import { findPython } from './gbdt-xgboost.js';

const SCRIPT = `
import json, sys, time
import numpy as np, xgboost as xgb
path, n, F, trees, depth, reps1, repsB, batch = sys.argv[1], *map(int, sys.argv[2:9])
X = np.fromfile(path + '/x.f32', dtype=np.float32).reshape(n, F)
y = np.fromfile(path + '/y.f32', dtype=np.float32)
booster = xgb.train(dict(tree_method='hist', max_depth=depth, eta=0.1, objective='reg:squarederror', nthread=2),
                    xgb.DMatrix(X, label=y), trees)
base = float(json.loads(booster.save_config())['learner']['learner_model_param']['base_score'])
timings = {}
for nt in (1, 2):
    booster.set_param({'nthread': nt})
    for rows, reps in ((1, reps1), (batch, repsB)):
        xb = np.ascontiguousarray(X[:rows])
        for _ in range(min(reps, 50)): booster.inplace_predict(xb)
        times = []
        for _ in range(reps):
            t0 = time.perf_counter(); booster.inplace_predict(xb); times.append(time.perf_counter() - t0)
        timings[f'{nt}/{rows}'] = float(np.median(times)) * 1000
pred = booster.inplace_predict(np.ascontiguousarray(X[:batch])).astype(np.float32)
print(json.dumps(dict(version=xgb.__version__, base=base, timings=timings, trees=booster.get_dump(dump_format='json'),
                      predictions=pred.tolist())))
`;

export interface XgboostTrees {
  version: string;
  /** Median ms per `inplace_predict`, keyed `threads/rows`. */
  timings: Record<string, number>;
  spec: GbdtSpec;
  /** xgboost's own predictions for the first `batch` rows. */
  predictions: Float32Array;
}

interface DumpNode {
  nodeid: number;
  leaf?: number;
  split?: string;
  split_condition?: number;
  yes?: number;
  no?: number;
  missing?: number;
  children?: DumpNode[];
}

/** The largest float32 below `c`: for float32 `x`, `x < c` ⇔ `x <= below(c)` (xgboost splits on `<`, our export on `<=`). */
function below(c: number): number {
  const f = new Float32Array([c]);
  const u = new Uint32Array(f.buffer);
  if (f[0] === 0) return -1.401298464324817e-45;
  u[0] = f[0]! > 0 ? u[0]! - 1 : u[0]! + 1;
  return f[0]!;
}

/** xgboost's JSON dump → the GbdtSpec our exporter writes as one TreeEnsembleRegressor (nodes in pre-order). */
function toSpec(trees: string[], base: number, nFeatures: number): GbdtSpec {
  const feature: number[] = [];
  const threshold: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const missingLeft: number[] = [];
  const value: number[] = [];
  const offsets = [0];
  for (const text of trees) {
    const begin = feature.length;
    const visit = (node: DumpNode): number => {
      const at = feature.length - begin;
      feature.push(-1);
      threshold.push(0);
      left.push(0);
      right.push(0);
      missingLeft.push(0);
      value.push(node.leaf ?? 0);
      if (node.leaf !== undefined) return at;
      const byId = new Map(node.children!.map((c) => [c.nodeid, c]));
      const yes = visit(byId.get(node.yes!)!);
      const no = visit(byId.get(node.no!)!);
      const k = begin + at;
      feature[k] = Number(node.split!.slice(1));
      threshold[k] = below(node.split_condition!);
      left[k] = yes;
      right[k] = no;
      missingLeft[k] = node.missing === node.yes ? 1 : 0;
      return at;
    };
    visit(JSON.parse(text) as DumpNode);
    offsets.push(feature.length);
  }
  return {
    kind: 'gbdt',
    label: 'xgboost',
    nFeatures,
    horizon: 1,
    nTargets: 1,
    objective: 'squared_error',
    baseValues: Float64Array.of(base),
    treeOutputs: new Int32Array(trees.length),
    treeOffsets: Int32Array.from(offsets),
    nodeFeature: Int32Array.from(feature),
    nodeThreshold: Float32Array.from(threshold),
    nodeLeft: Int32Array.from(left),
    nodeRight: Int32Array.from(right),
    nodeMissingLeft: Uint8Array.from(missingLeft),
    nodeValue: Float64Array.from(value),
  };
}

/** Trains and times xgboost on `x`/`y`; undefined when python3-xgboost is not importable. */
export function xgboostTrees(
  x: Float32Array,
  y: Float32Array,
  o: {
    n: number;
    nFeatures: number;
    trees: number;
    depth: number;
    reps1: number;
    repsBatch: number;
    batch: number;
  },
): XgboostTrees | undefined {
  const python = findPython();
  if (python === undefined) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'twiga-engine-bench-'));
  try {
    writeFileSync(join(dir, 'x.f32'), new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
    writeFileSync(join(dir, 'y.f32'), new Uint8Array(y.buffer, y.byteOffset, y.byteLength));
    const args = [o.n, o.nFeatures, o.trees, o.depth, o.reps1, o.repsBatch, o.batch].map(String);
    const run = spawnSync(python, ['-c', SCRIPT, dir, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
    if (run.status !== 0) throw new Error(`xgboost anchor failed: ${run.stderr}`);
    const out = JSON.parse(run.stdout) as {
      version: string;
      base: number;
      timings: Record<string, number>;
      trees: string[];
      predictions: number[];
    };
    return {
      version: out.version,
      timings: out.timings,
      spec: toSpec(out.trees, out.base, o.nFeatures),
      predictions: Float32Array.from(out.predictions),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
