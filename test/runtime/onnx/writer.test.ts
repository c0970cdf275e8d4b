/** The ONNX writer's bytes load and run in onnxruntime-web. */
import { describe, expect, it } from 'vitest';
import { ModelError } from '../../../src/runtime/errors.js';
import { createOnnxEngine } from '../../../src/runtime/onnx/engine.js';
import { attr, buildModel } from '../../../src/runtime/onnx/writer.js';

const engine = createOnnxEngine();

describe('buildModel', () => {
  it('writes a MatMul + Add graph that ORT runs with the expected output', async () => {
    const bytes = buildModel({
      graph: {
        name: 'matmul_add',
        nodes: [
          { opType: 'MatMul', inputs: ['features', 'W'], outputs: ['m'] },
          { opType: 'Add', inputs: ['m', 'b'], outputs: ['forecast'] },
        ],
        initializers: [
          { name: 'W', dataType: 'float', dims: [3, 2], values: [1, 0, 0, 1, 2, -1] },
          { name: 'b', dataType: 'float', dims: [2], values: [0.5, -0.5] },
        ],
        inputs: [{ name: 'features', elemType: 'float', shape: ['N', 3] }],
        outputs: [{ name: 'forecast', elemType: 'float', shape: ['N', 2] }],
      },
      opsets: [{ domain: '', version: 17 }],
      producer: { name: 'twiga-edge-test', version: '0' },
      metadata: { purpose: 'test' },
    });
    const model = await engine.load(bytes, 'matmul_add');
    // rows [1,2,3] and [4,5,6]: [1+6, 2-3] + b and [4+12, 5-6] + b
    const out = await model.run(new Float32Array([1, 2, 3, 4, 5, 6]), 2, 3);
    expect(Array.from(out)).toEqual([7.5, -1.5, 16.5, -1.5]);
    await model.release();
  });

  it('encodes float, int, tensor (double) attributes and int64 initializers', async () => {
    const bytes = buildModel({
      graph: {
        name: 'attributes',
        nodes: [
          {
            opType: 'Gather',
            inputs: ['features', 'idx'],
            outputs: ['g'],
            attributes: { axis: attr.int(1) },
          },
          { opType: 'LeakyRelu', inputs: ['g'], outputs: ['l'], attributes: { alpha: attr.float(0.5) } },
          {
            opType: 'Constant',
            inputs: [],
            outputs: ['c64'],
            attributes: { value: attr.tensor({ dataType: 'double', dims: [1], values: [0.25] }) },
          },
          { opType: 'Cast', inputs: ['c64'], outputs: ['c'], attributes: { to: attr.int(1) } },
          { opType: 'Add', inputs: ['l', 'c'], outputs: ['forecast'] },
        ],
        initializers: [
          { name: 'idx', dataType: 'int64', dims: [3], values: new BigInt64Array([2n, 0n, 2n]) },
        ],
        inputs: [{ name: 'features', elemType: 'float', shape: ['N', 3] }],
        outputs: [{ name: 'forecast', elemType: 'float', shape: ['N', 3] }],
      },
      opsets: [{ domain: '', version: 17 }],
    });
    const model = await engine.load(bytes, 'attributes');
    const out = await model.run(new Float32Array([1, 2, -4]), 1, 3);
    expect(Array.from(out)).toEqual([-1.75, 1.25, -1.75]);
  });

  it('writes an ai.onnx.ml TreeEnsembleRegressor (ints, floats and strings attributes)', async () => {
    // One tree: x0 <= 0.5 ? (x1 <= 2 ? 10 : 20) : 30.
    const bytes = buildModel({
      graph: {
        name: 'tree',
        nodes: [
          {
            opType: 'TreeEnsembleRegressor',
            domain: 'ai.onnx.ml',
            inputs: ['features'],
            outputs: ['forecast'],
            attributes: {
              n_targets: attr.int(1),
              aggregate_function: attr.string('SUM'),
              post_transform: attr.string('NONE'),
              base_values: attr.floats([0]),
              nodes_treeids: attr.ints([0, 0, 0, 0, 0]),
              nodes_nodeids: attr.ints([0, 1, 2, 3, 4]),
              nodes_featureids: attr.ints([0, 1, 0, 0, 0]),
              nodes_values: attr.floats([0.5, 2, 0, 0, 0]),
              nodes_modes: attr.strings(['BRANCH_LEQ', 'BRANCH_LEQ', 'LEAF', 'LEAF', 'LEAF']),
              nodes_truenodeids: attr.ints([1, 2, 0, 0, 0]),
              nodes_falsenodeids: attr.ints([4, 3, 0, 0, 0]),
              nodes_missing_value_tracks_true: attr.ints([0, 0, 0, 0, 0]),
              target_treeids: attr.ints([0, 0, 0]),
              target_nodeids: attr.ints([2, 3, 4]),
              target_ids: attr.ints([0, 0, 0]),
              target_weights: attr.floats([10, 20, 30]),
            },
          },
        ],
        inputs: [{ name: 'features', elemType: 'float', shape: ['N', 2] }],
        outputs: [{ name: 'forecast', elemType: 'float', shape: ['N', 1] }],
      },
      opsets: [
        { domain: '', version: 17 },
        { domain: 'ai.onnx.ml', version: 3 },
      ],
    });
    const model = await engine.load(bytes, 'tree');
    const out = await model.run(new Float32Array([0, 1, 0, 3, 1, 0]), 3, 2);
    expect(Array.from(out)).toEqual([10, 20, 30]);
  });

  it('rejects a tensor whose values do not fill its dims', () => {
    expect(() =>
      buildModel({
        graph: {
          name: 'bad',
          nodes: [],
          initializers: [{ name: 'w', dataType: 'float', dims: [2, 2], values: [1, 2, 3] }],
          inputs: [],
          outputs: [],
        },
        opsets: [{ domain: '', version: 17 }],
      }),
    ).toThrow(ModelError);
  });
});
