/** GBDT trainer invariants: a stump, loss decrease, determinism across seeds and threads, early stopping, missing values. */
import { describe, expect, it } from 'vitest';
import { type GbdtFit, predictGbdt, trainGbdt } from '../../../src/node/trainers/gbdt/index.js';
import { ConfigError, DataError } from '../../../src/runtime/errors.js';
import { mulberry32 } from '../../../src/runtime/synthetic.js';
import { fitBinMapper } from '../../../src/runtime/train/gbdt/binning.js';

/** `n × F` uniforms in [-1, 1] and a nonlinear target with interactions and noise, `O` outputs. */
function regression(n: number, F: number, O: number, seed: number) {
  const rand = mulberry32(seed);
  const x = Float64Array.from({ length: n * F }, () => rand() * 2 - 1);
  const y = new Float64Array(n * O);
  for (let r = 0; r < n; r++) {
    const v = x.subarray(r * F, r * F + F);
    for (let o = 0; o < O; o++) {
      y[r * O + o] =
        Math.sin(3 * v[0]!) + (o + 1) * v[1]! * v[2]! + (v[3]! > 0 ? 1 : 0) + 0.2 * (rand() - 0.5);
    }
  }
  return { x, y };
}

function sameTrees(a: GbdtFit, b: GbdtFit): void {
  expect(Array.from(a.spec.nodeFeature)).toEqual(Array.from(b.spec.nodeFeature));
  expect(Array.from(a.spec.nodeThreshold)).toEqual(Array.from(b.spec.nodeThreshold));
  expect(Array.from(a.spec.nodeMissingLeft)).toEqual(Array.from(b.spec.nodeMissingLeft));
  expect(Array.from(a.spec.nodeValue)).toEqual(Array.from(b.spec.nodeValue));
  expect(Array.from(a.spec.treeOutputs)).toEqual(Array.from(b.spec.treeOutputs));
  expect(Array.from(a.spec.baseValues)).toEqual(Array.from(b.spec.baseValues));
}

describe('trainGbdt', () => {
  it('fits a step function with one exact split: threshold between the two grid values, leaves at the step heights', async () => {
    const n = 100;
    const x = Float64Array.from({ length: n }, (_, i) => i / 100);
    const y = Float64Array.from(x, (v) => (v < 0.5 ? 1 : 3));
    const fit = await trainGbdt(
      { x, y, n, nFeatures: 1, nOutputs: 1 },
      { numTrees: 1, numLeaves: 2, learningRate: 1, minDataInLeaf: 1, threads: 1 },
    );
    const s = fit.spec;
    expect(Array.from(s.nodeFeature)).toEqual([0, -1, -1]);
    // The edge is the float32 midpoint of the neighbouring float32 grid values 0.49 and 0.5.
    expect(s.nodeThreshold[0]).toBe(Math.fround(Math.fround(0.49) / 2 + Math.fround(0.5) / 2));
    expect(s.baseValues[0]).toBe(2);
    expect(s.nodeValue[1]).toBe(-1);
    expect(s.nodeValue[2]).toBe(1);
    expect(Array.from(predictGbdt(s, x, n))).toEqual(Array.from(y));
  });

  it('decreases the training loss at every round (squared error, no subsampling)', async () => {
    const n = 2000;
    const F = 6;
    const { x, y } = regression(n, F, 1, 1);
    const fit = await trainGbdt(
      { x, y, n, nFeatures: F, nOutputs: 1 },
      { numTrees: 40, learningRate: 0.1, numLeaves: 15, maxDepth: -1, threads: 1 },
    );
    const loss = fit.history.train[0]!;
    expect(loss.length).toBe(40);
    for (let i = 1; i < loss.length; i++) expect(loss[i]!).toBeLessThan(loss[i - 1]!);
    expect(loss[39]!).toBeLessThan(0.2 * loss[0]!);
  });

  it("grows leaf-wise within numLeaves and maxDepth, and its bin-based predictions equal the spec's", async () => {
    const n = 3000;
    const F = 5;
    const { x, y } = regression(n, F, 1, 2);
    const fit = await trainGbdt(
      { x, y, n, nFeatures: F, nOutputs: 1 },
      { numTrees: 10, numLeaves: 12, maxDepth: 3, minDataInLeaf: 5, threads: 1 },
    );
    const s = fit.spec;
    for (let t = 0; t < s.treeOutputs.length; t++) {
      const begin = s.treeOffsets[t]!;
      const size = s.treeOffsets[t + 1]! - begin;
      const depth = (k: number): number =>
        s.nodeFeature[begin + k]! < 0
          ? 0
          : 1 + Math.max(depth(s.nodeLeft[begin + k]!), depth(s.nodeRight[begin + k]!));
      expect((size + 1) / 2).toBeLessThanOrEqual(8); // depth 3 caps 12 leaves at 8
      expect(depth(0)).toBeLessThanOrEqual(3);
    }
    expect(Array.from(predictGbdt(s, x, n))).toEqual(Array.from(fit.trainPredictions));
  });

  it('makes at every node the best split of its rows, checked by brute force over all features and bins', async () => {
    const n = 1500;
    const F = 4;
    const { x, y } = regression(n, F, 1, 8);
    const minData = 10;
    const fit = await trainGbdt(
      { x, y, n, nFeatures: F, nOutputs: 1 },
      { numTrees: 3, numLeaves: 10, maxDepth: 4, minDataInLeaf: minData, learningRate: 0.5, threads: 1 },
    );
    const s = fit.spec;
    // Candidate thresholds: every bin edge (the trainer bins with the same seed), plus "all values left".
    const mapper = fitBinMapper(x, n, F, 255, 42);
    const edges = mapper.edges.map((e) => [...e, Number.POSITIVE_INFINITY]);
    const pred = new Float64Array(n).fill(s.baseValues[0]!);
    const score = (g: number, c: number) => (g * g) / c;
    for (let t = 0; t < s.treeOutputs.length; t++) {
      const base = s.treeOffsets[t]!;
      const grad = Float64Array.from(pred, (p, r) => p - y[r]!);
      const check = (k: number, rows: number[]) => {
        if (s.nodeFeature[base + k]! < 0) return;
        const f = s.nodeFeature[base + k]!;
        const thr = s.nodeThreshold[base + k]!;
        const goesLeft = (r: number, ff: number, tt: number) => Math.fround(x[r * F + ff]!) <= tt;
        const G = rows.reduce((a, r) => a + grad[r]!, 0);
        const gain = (ff: number, tt: number) => {
          const left = rows.filter((r) => goesLeft(r, ff, tt));
          if (left.length < minData || rows.length - left.length < minData) return Number.NEGATIVE_INFINITY;
          const gl = left.reduce((a, r) => a + grad[r]!, 0);
          return score(gl, left.length) + score(G - gl, rows.length - left.length);
        };
        const chosen = gain(f, thr);
        for (let ff = 0; ff < F; ff++)
          for (const tt of edges[ff]!) expect(gain(ff, tt)).toBeLessThanOrEqual(chosen * (1 + 1e-12));
        check(
          s.nodeLeft[base + k]!,
          rows.filter((r) => goesLeft(r, f, thr)),
        );
        check(
          s.nodeRight[base + k]!,
          rows.filter((r) => !goesLeft(r, f, thr)),
        );
      };
      check(
        0,
        Array.from({ length: n }, (_, r) => r),
      );
      const one = {
        ...s,
        treeOutputs: s.treeOutputs.subarray(t, t + 1),
        treeOffsets: Int32Array.of(0, s.treeOffsets[t + 1]! - base),
      };
      const sub = (a: { subarray(b: number, e: number): unknown }) => a.subarray(base, s.treeOffsets[t + 1]!);
      const tree = {
        ...one,
        baseValues: Float64Array.of(0),
        nodeFeature: sub(s.nodeFeature) as Int32Array,
        nodeThreshold: sub(s.nodeThreshold) as Float32Array,
        nodeLeft: sub(s.nodeLeft) as Int32Array,
        nodeRight: sub(s.nodeRight) as Int32Array,
        nodeMissingLeft: sub(s.nodeMissingLeft) as Uint8Array,
        nodeValue: sub(s.nodeValue) as Float64Array,
      };
      const step = predictGbdt(tree, x, n);
      for (let r = 0; r < n; r++) pred[r]! += step[r]!;
    }
  });

  it('is deterministic under a seed, with bagging and feature sampling, and other seeds differ', async () => {
    const n = 1500;
    const F = 8;
    const { x, y } = regression(n, F, 1, 3);
    const params = { numTrees: 15, baggingFraction: 0.7, featureFraction: 0.6, seed: 11, threads: 1 };
    const a = await trainGbdt({ x, y, n, nFeatures: F, nOutputs: 1 }, params);
    const b = await trainGbdt({ x, y, n, nFeatures: F, nOutputs: 1 }, params);
    sameTrees(a, b);
    const c = await trainGbdt({ x, y, n, nFeatures: F, nOutputs: 1 }, { ...params, seed: 12 });
    expect(Array.from(c.spec.nodeValue)).not.toEqual(Array.from(a.spec.nodeValue));
  });

  it('gives identical trees on one and two threads (row halves for one output, outputs for several)', async () => {
    const n = 12_000;
    const F = 20;
    const one = regression(n, F, 1, 4);
    const params = { numTrees: 6, numLeaves: 31, baggingFraction: 0.8, featureFraction: 0.9, seed: 3 };
    const single = await trainGbdt({ ...one, n, nFeatures: F, nOutputs: 1 }, { ...params, threads: 1 });
    const blocks = await trainGbdt({ ...one, n, nFeatures: F, nOutputs: 1 }, { ...params, threads: 2 });
    expect(single.strategy).toBe('single-thread');
    expect(blocks.strategy).toBe('row-halves');
    sameTrees(single, blocks);

    const m = 2000;
    const three = regression(m, 6, 3, 5);
    const seq = await trainGbdt({ ...three, n: m, nFeatures: 6, nOutputs: 3 }, { ...params, threads: 1 });
    const par = await trainGbdt({ ...three, n: m, nFeatures: 6, nOutputs: 3 }, { ...params, threads: 2 });
    expect(par.strategy).toBe('outputs');
    sameTrees(seq, par);
    expect(Array.from(par.trainPredictions)).toEqual(Array.from(seq.trainPredictions));
  });

  it('stops early on the validation loss and keeps the best round', async () => {
    const rand = mulberry32(6);
    const n = 800;
    const F = 4;
    // Targets are pure noise: any fitting beyond the mean overfits.
    const make = (k: number) => ({
      x: Float64Array.from({ length: k * F }, () => rand()),
      y: Float64Array.from({ length: k }, () => rand()),
      n: k,
    });
    const train = make(n);
    const valid = make(400);
    const iterations: number[] = [];
    const fit = await trainGbdt(
      { ...train, nFeatures: F, nOutputs: 1, valid },
      {
        numTrees: 200,
        learningRate: 0.3,
        numLeaves: 31,
        minDataInLeaf: 2,
        earlyStoppingRounds: 5,
        threads: 1,
      },
      { onIteration: (info) => iterations.push(info.iteration) },
    );
    const best = fit.bestIteration[0]!;
    const history = fit.history.valid[0]!;
    expect(history.length).toBe(best + 5);
    expect(history.length).toBeLessThan(200);
    expect(iterations).toEqual(Array.from(history, (_, i) => i + 1));
    expect(fit.spec.treeOutputs.length).toBe(best);
    const min = Math.min(...history);
    expect(history[best - 1]).toBe(min);
    // Training predictions drop the trees after the best round too.
    const pred = predictGbdt(fit.spec, train.x, n);
    const gap = Math.max(...pred.map((v, i) => Math.abs(v - fit.trainPredictions[i]!)));
    expect(gap).toBeLessThan(1e-12);
  });

  it('routes missing values to the side learned from the data, and to the larger child when none were seen', async () => {
    const rand = mulberry32(7);
    const n = 1000;
    const x = new Float64Array(n);
    const yHigh = new Float64Array(n);
    const yLow = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      const missing = r % 5 === 0;
      const v = Math.floor(rand() * 20) / 20; // 20 distinct values: one bin each
      x[r] = missing ? Number.NaN : v;
      yHigh[r] = missing || v > 0.3 ? 10 : 0;
      yLow[r] = !missing && v > 0.3 ? 10 : 0;
    }
    const params = { numTrees: 1, numLeaves: 2, learningRate: 1, minDataInLeaf: 5, threads: 1 };
    const nan = new Float64Array([Number.NaN]);
    const high = await trainGbdt({ x, y: yHigh, n, nFeatures: 1, nOutputs: 1 }, params);
    expect(high.spec.nodeMissingLeft[0]).toBe(0);
    expect(predictGbdt(high.spec, nan, 1)[0]).toBeCloseTo(10, 9);
    const low = await trainGbdt({ x, y: yLow, n, nFeatures: 1, nOutputs: 1 }, params);
    expect(low.spec.nodeMissingLeft[0]).toBe(1);
    expect(predictGbdt(low.spec, nan, 1)[0]).toBeCloseTo(0, 9);

    const seen = Float64Array.from(x, (v) => (Number.isNaN(v) ? 0.9 : v));
    const none = await trainGbdt({ x: seen, y: yLow, n, nFeatures: 1, nOutputs: 1 }, params);
    const rightIsLarger = none.spec.nodeThreshold[0]! < 0.5;
    expect(none.spec.nodeMissingLeft[0]).toBe(rightIsLarger ? 0 : 1);
  });

  it('validates parameters and data with typed errors', async () => {
    const x = new Float64Array(20);
    const y = new Float64Array(10);
    await expect(trainGbdt({ x, y, n: 10, nFeatures: 2, nOutputs: 1 }, { numLeaves: 1 })).rejects.toThrow(
      ConfigError,
    );
    await expect(trainGbdt({ x, y, n: 10, nFeatures: 3, nOutputs: 1 })).rejects.toThrow(DataError);
    const bad = Float64Array.from(y, (_, i) => (i === 4 ? Number.NaN : 0));
    await expect(trainGbdt({ x, y: bad, n: 10, nFeatures: 2, nOutputs: 1 })).rejects.toThrow(/row 4/);
  });
});
