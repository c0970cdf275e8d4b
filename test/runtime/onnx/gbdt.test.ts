/** The GBDT exporter: one TreeEnsembleRegressor whose outputs, thresholds and missing sides match the float64 reference. */
import { describe, expect, it } from 'vitest';
import { ModelError } from '../../../src/runtime/errors.js';
import { exportModel, predictInMemory } from '../../../src/runtime/models/export.js';
import type { GbdtSpec } from '../../../src/runtime/models/spec.js';
import { createOnnxEngine } from '../../../src/runtime/onnx/engine.js';

interface TreeDef {
  output: number;
  /** Per node: [feature, threshold, left, right, missingLeft] for branches, a number for leaves. */
  nodes: ([number, number, number, number, 0 | 1] | number)[];
}

function spec(
  trees: TreeDef[],
  baseValues: number[],
  horizon: number,
  nTargets: number,
  nFeatures = 2,
): GbdtSpec {
  const nodes = trees.flatMap((t) => t.nodes);
  const offsets = [0];
  for (const t of trees) offsets.push(offsets.at(-1)! + t.nodes.length);
  const branch = (k: (node: [number, number, number, number, 0 | 1]) => number) =>
    nodes.map((node) => (typeof node === 'number' ? 0 : k(node)));
  return {
    kind: 'gbdt',
    label: 'hand',
    nFeatures,
    horizon,
    nTargets,
    objective: 'squared_error',
    baseValues: Float64Array.from(baseValues),
    treeOutputs: Int32Array.from(trees, (t) => t.output),
    treeOffsets: Int32Array.from(offsets),
    nodeFeature: Int32Array.from(nodes, (node) => (typeof node === 'number' ? -1 : node[0])),
    nodeThreshold: Float32Array.from(branch((node) => node[1])),
    nodeLeft: Int32Array.from(branch((node) => node[2])),
    nodeRight: Int32Array.from(branch((node) => node[3])),
    nodeMissingLeft: Uint8Array.from(branch((node) => node[4])),
    nodeValue: Float64Array.from(nodes, (node) => (typeof node === 'number' ? node : 0)),
  };
}

async function runOnnx(s: GbdtSpec, rows: number[][]): Promise<number[]> {
  const model = await createOnnxEngine().load(exportModel(s), s.label);
  const out = await model.run(Float32Array.from(rows.flat()), rows.length, s.nFeatures);
  await model.release();
  return Array.from(out);
}

describe('gbdt ONNX export', () => {
  it("tags each output's trees with its target id (horizon 2 × 2 targets)", async () => {
    const s = spec(
      [
        { output: 0, nodes: [[0, 0.5, 1, 2, 0], 1, 2] },
        { output: 0, nodes: [[1, 0.5, 1, 2, 0], 10, 20] },
        { output: 2, nodes: [[0, 0.5, 1, 2, 0], 100, 200] },
        { output: 3, nodes: [[1, 0.25, 1, 2, 1], 1000, 2000] },
      ],
      [0.5, -1, 0, 7],
      2,
      2,
    );
    const rows = [
      [0, 0],
      [1, 1],
      [0, 1],
    ];
    const expected = [
      [0.5 + 1 + 10, -1, 100, 7 + 1000],
      [0.5 + 2 + 20, -1, 200, 7 + 2000],
      [0.5 + 1 + 20, -1, 100, 7 + 2000],
    ].flat();
    expect(await runOnnx(s, rows)).toEqual(expected);
    expect(Array.from(predictInMemory(s, Float64Array.from(rows.flat()), 3))).toEqual(expected);
  });

  it('compares float32 features with float32 thresholds (x <= t left) and routes NaN by the learned side', async () => {
    const t = Math.fround(0.1);
    const above = t + 2 ** -27; // the next float32 after fround(0.1)
    expect(Math.fround(above)).toBe(above);
    const s = spec(
      [
        { output: 0, nodes: [[0, t, 1, 2, 1], 1, 2] },
        { output: 0, nodes: [[1, t, 1, 2, 0], 10, 20] },
        { output: 0, nodes: [[0, Number.POSITIVE_INFINITY, 1, 2, 0], 100, 200] },
      ],
      [0],
      1,
      1,
    );
    const rows = [
      [t, t],
      [above, above],
      [Number.NaN, Number.NaN],
      [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY],
      [0.1, 0.1], // float64 0.1 becomes fround(0.1): left
    ];
    const expected = [1 + 10 + 100, 2 + 20 + 100, 1 + 20 + 200, 2 + 10 + 100, 1 + 10 + 100];
    expect(await runOnnx(s, rows)).toEqual(expected);
    expect(Array.from(predictInMemory(s, Float64Array.from(rows.flat()), rows.length))).toEqual(expected);
  });

  it('exports an ensemble without trees as its base values', async () => {
    const s = spec([], [3, -4], 2, 1);
    expect(await runOnnx(s, [[0, 0]])).toEqual([3, -4]);
  });

  it('rejects malformed node arrays with a ModelError naming the tree', () => {
    const s = spec([{ output: 0, nodes: [[0, 0.5, 1, 0, 0], 1, 2] }], [0], 1, 1);
    expect(() => exportModel(s)).toThrow(ModelError);
    expect(() => exportModel(s)).toThrow(/tree 0 node 0/);
    const wrongOutput = spec([{ output: 3, nodes: [1] }], [0], 1, 1);
    expect(() => exportModel(wrongOutput)).toThrow(/output 3/);
  });
});
