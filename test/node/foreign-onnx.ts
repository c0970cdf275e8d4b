/**
 * A second, independent ONNX writer for tests: protobufjs reflection over onnx.proto's field numbers
 * (proto2, `float_data` tensors) — not the package's hand-rolled writer — standing in for models
 * exported by onnxmltools/skl2onnx.
 */
import protobuf from 'protobufjs';

const PROTO = `
syntax = "proto2";
package onnx;
message AttributeProto {
  enum AttributeType { UNDEFINED = 0; FLOAT = 1; INT = 2; STRING = 3; TENSOR = 4; GRAPH = 5; FLOATS = 6; INTS = 7; STRINGS = 8; }
  optional string name = 1; optional float f = 2; optional int64 i = 3; optional bytes s = 4; optional TensorProto t = 5;
  repeated float floats = 7; repeated int64 ints = 8; repeated bytes strings = 9; optional AttributeType type = 20;
}
message ValueInfoProto { optional string name = 1; optional TypeProto type = 2; }
message NodeProto { repeated string input = 1; repeated string output = 2; optional string name = 3; optional string op_type = 4; repeated AttributeProto attribute = 5; optional string domain = 7; }
message ModelProto { optional int64 ir_version = 1; repeated OperatorSetIdProto opset_import = 8; optional string producer_name = 2; optional GraphProto graph = 7; }
message GraphProto { repeated NodeProto node = 1; optional string name = 2; repeated TensorProto initializer = 5; repeated ValueInfoProto input = 11; repeated ValueInfoProto output = 12; }
message TensorProto { repeated int64 dims = 1; optional int32 data_type = 2; repeated float float_data = 4 [packed = true]; optional string name = 8; }
message TensorShapeProto { message Dimension { optional int64 dim_value = 1; optional string dim_param = 2; } repeated Dimension dim = 1; }
message TypeProto { message Tensor { optional int32 elem_type = 1; optional TensorShapeProto shape = 2; } optional Tensor tensor_type = 1; }
message OperatorSetIdProto { optional string domain = 1; optional int64 version = 2; }
`;

const root = protobuf.parse(PROTO).root;
const Model = root.lookupType('onnx.ModelProto');
const FLOAT = 1;

const valueInfo = (name: string, dims: Array<number | string>) => ({
  name,
  type: {
    tensorType: {
      elemType: FLOAT,
      shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
    },
  },
});
const int = (name: string, value: number) => ({ name, type: 2, i: value });
const ints = (name: string, values: number[]) => ({ name, type: 7, ints: values });
const string = (name: string, value: string) => ({ name, type: 3, s: new TextEncoder().encode(value) });
const floats = (name: string, values: number[]) => ({ name, type: 6, floats: values });
const strings = (name: string, values: string[]) => ({
  name,
  type: 8,
  strings: values.map((v) => new TextEncoder().encode(v)),
});

function encode(graph: object, opsets: Array<{ domain: string; version: number }>): Uint8Array {
  const message = Model.fromObject({
    irVersion: 8,
    producerName: 'foreign-writer',
    opsetImport: opsets,
    graph,
  });
  return Model.encode(message).finish();
}

export interface Stump {
  /** Output the stump adds to. */
  target: number;
  feature: number;
  threshold: number;
  left: number;
  right: number;
}

/** A TreeEnsembleRegressor of single-split trees, named as onnxmltools names LightGBM exports. */
export function treeEnsembleModel(
  nFeatures: number,
  nTargets: number,
  stumps: Stump[],
  base: number[],
  options: { mode?: string; aggregate?: string } = {},
): Uint8Array {
  const a = {
    nodes: [] as number[],
    tree: [] as number[],
    feat: [] as number[],
    thr: [] as number[],
    modes: [] as string[],
    t: [] as number[],
    f: [] as number[],
  };
  const leaves = {
    tree: [] as number[],
    node: [] as number[],
    target: [] as number[],
    weight: [] as number[],
  };
  stumps.forEach((s, k) => {
    a.tree.push(k, k, k);
    a.nodes.push(0, 1, 2);
    a.feat.push(s.feature, 0, 0);
    a.thr.push(s.threshold, 0, 0);
    a.modes.push(options.mode ?? 'BRANCH_LEQ', 'LEAF', 'LEAF');
    a.t.push(1, 0, 0);
    a.f.push(2, 0, 0);
    leaves.tree.push(k, k);
    leaves.node.push(1, 2);
    leaves.target.push(s.target, s.target);
    leaves.weight.push(s.left, s.right);
  });
  const node = {
    opType: 'TreeEnsembleRegressor',
    domain: 'ai.onnx.ml',
    input: ['input'],
    output: ['variable'],
    attribute: [
      int('n_targets', nTargets),
      string('aggregate_function', options.aggregate ?? 'SUM'),
      floats('base_values', base),
      ints('nodes_treeids', a.tree),
      ints('nodes_nodeids', a.nodes),
      ints('nodes_featureids', a.feat),
      floats('nodes_values', a.thr),
      strings('nodes_modes', a.modes),
      ints('nodes_truenodeids', a.t),
      ints('nodes_falsenodeids', a.f),
      ints('target_treeids', leaves.tree),
      ints('target_nodeids', leaves.node),
      ints('target_ids', leaves.target),
      floats('target_weights', leaves.weight),
    ],
  };
  const graph = {
    name: 'lightgbm-like',
    node: [node],
    input: [valueInfo('input', ['N', nFeatures])],
    output: [valueInfo('variable', ['N', nTargets])],
  };
  return encode(graph, [
    { domain: '', version: 17 },
    { domain: 'ai.onnx.ml', version: 3 },
  ]);
}

/** y = x·W + b with Gemm, named as skl2onnx names a LinearRegression export; `opType` swaps the operator (refusal tests). */
export function gemmModel(weights: number[][], bias: number[], opType = 'Gemm'): Uint8Array {
  const F = weights.length;
  const O = bias.length;
  const graph = {
    name: 'ridge-like',
    node: [{ opType, input: ['float_input', 'coef', 'intercept'], output: ['variable'] }],
    initializer: [
      { name: 'coef', dims: [F, O], dataType: FLOAT, floatData: weights.flat() },
      { name: 'intercept', dims: [O], dataType: FLOAT, floatData: bias },
    ],
    input: [valueInfo('float_input', ['N', F])],
    output: [valueInfo('variable', ['N', O])],
  };
  return encode(graph, [{ domain: '', version: 17 }]);
}
