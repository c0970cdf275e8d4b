/** ONNX model writer: a plain-data graph description encoded to ModelProto bytes (field numbers from onnx.proto). */

import protobuf from 'protobufjs/minimal.js';
import { ModelError } from '../errors.js';

type Writer = protobuf.Writer;

/** Tensor element types this writer encodes (TensorProto.DataType). */
export type OnnxDataType = 'float' | 'int64' | 'string' | 'double';

const DATA_TYPE: Record<OnnxDataType, number> = { float: 1, int64: 7, string: 8, double: 11 };

/** A constant tensor (initializer or tensor attribute). Numeric data is written as little-endian `raw_data`. */
export interface OnnxTensor {
  name?: string;
  dataType: Exclude<OnnxDataType, 'string'>;
  dims: readonly number[];
  /** Row-major values; int64 accepts numbers (safe integers) or a BigInt64Array. */
  values: ArrayLike<number> | BigInt64Array;
}

/** A tagged attribute value; build them with {@link attr}. */
export type OnnxAttribute =
  | { type: 'float'; value: number }
  | { type: 'int'; value: number }
  | { type: 'string'; value: string }
  | { type: 'tensor'; value: OnnxTensor }
  | { type: 'floats'; value: ArrayLike<number> }
  | { type: 'ints'; value: ArrayLike<number> }
  | { type: 'strings'; value: readonly string[] };

/** Constructors for {@link OnnxAttribute}: `attr.ints([0, 1])`, `attr.strings(['BRANCH_LEQ'])`, ... */
export const attr = {
  float: (value: number): OnnxAttribute => ({ type: 'float', value }),
  int: (value: number): OnnxAttribute => ({ type: 'int', value }),
  string: (value: string): OnnxAttribute => ({ type: 'string', value }),
  tensor: (value: OnnxTensor): OnnxAttribute => ({ type: 'tensor', value }),
  floats: (value: ArrayLike<number>): OnnxAttribute => ({ type: 'floats', value }),
  ints: (value: ArrayLike<number>): OnnxAttribute => ({ type: 'ints', value }),
  strings: (value: readonly string[]): OnnxAttribute => ({ type: 'strings', value }),
} as const;

/** AttributeProto.AttributeType discriminators. */
const ATTR_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7, strings: 8 } as const;

/** One operator application; `domain` is `''` (default) or e.g. `'ai.onnx.ml'`. */
export interface OnnxNode {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  domain?: string;
  attributes?: Readonly<Record<string, OnnxAttribute>>;
}

/** A graph input/output: a tensor whose dims are sizes or symbolic names such as `'N'`. */
export interface OnnxValueInfo {
  name: string;
  elemType: OnnxDataType;
  shape: readonly (number | string)[];
}

/** A graph: nodes in topological order, constant initializers, and its typed inputs and outputs. */
export interface OnnxGraph {
  name: string;
  nodes: readonly OnnxNode[];
  initializers?: readonly (OnnxTensor & { name: string })[];
  inputs: readonly OnnxValueInfo[];
  outputs: readonly OnnxValueInfo[];
  docString?: string;
}

/** An operator set the model imports (OperatorSetIdProto). */
export interface OnnxOpset {
  /** `''` for the default ai.onnx domain, `'ai.onnx.ml'` for classical ML operators. */
  domain: string;
  version: number;
}

/** Everything {@link buildModel} encodes into a ModelProto. */
export interface OnnxModelSpec {
  graph: OnnxGraph;
  opsets: readonly OnnxOpset[];
  producer?: { name: string; version?: string };
  /** @default 8 (covers opset 17 and ai.onnx.ml 3) */
  irVersion?: number;
  docString?: string;
  metadata?: Readonly<Record<string, string>>;
}

const utf8 = new TextEncoder();

/** Writes a length-delimited sub-message under `field`. */
function message(w: Writer, field: number, body: (w: Writer) => void): void {
  w.uint32((field << 3) | 2).fork();
  body(w);
  w.ldelim();
}

function str(w: Writer, field: number, value: string | undefined): void {
  if (value !== undefined) w.uint32((field << 3) | 2).string(value);
}

function int64(w: Writer, field: number, value: number): void {
  w.uint32(field << 3).int64(value);
}

function rawData(t: OnnxTensor): Uint8Array {
  const n = t.values.length;
  const width = t.dataType === 'float' ? 4 : 8;
  const bytes = new Uint8Array(n * width);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < n; i++) {
    const v = t.values[i]!;
    if (t.dataType === 'float') view.setFloat32(i * 4, v as number, true);
    else if (t.dataType === 'double') view.setFloat64(i * 8, v as number, true);
    else view.setBigInt64(i * 8, typeof v === 'bigint' ? v : BigInt(v), true);
  }
  return bytes;
}

function tensorBody(w: Writer, t: OnnxTensor): void {
  const expected = t.dims.reduce((a, b) => a * b, 1);
  if (expected !== t.values.length) {
    throw new ModelError(
      `tensor "${t.name ?? ''}": dims [${t.dims.join(', ')}] need ${expected} values, got ${t.values.length}`,
      { tensor: t.name, dims: [...t.dims], length: t.values.length },
    );
  }
  for (const d of t.dims) int64(w, 1, d);
  w.uint32(2 << 3).int32(DATA_TYPE[t.dataType]);
  str(w, 8, t.name);
  w.uint32((9 << 3) | 2).bytes(rawData(t));
}

function attributeBody(w: Writer, name: string, a: OnnxAttribute): void {
  str(w, 1, name);
  w.uint32(20 << 3).int32(ATTR_TYPE[a.type]);
  switch (a.type) {
    case 'float':
      w.uint32((2 << 3) | 5).float(a.value);
      break;
    case 'int':
      int64(w, 3, a.value);
      break;
    case 'string':
      w.uint32((4 << 3) | 2).bytes(utf8.encode(a.value));
      break;
    case 'tensor':
      message(w, 5, (m) => tensorBody(m, a.value));
      break;
    case 'floats':
      // Packed encoding: accepted by every protobuf parser for repeated scalars.
      w.uint32((7 << 3) | 2).fork();
      for (let i = 0; i < a.value.length; i++) w.float(a.value[i]!);
      w.ldelim();
      break;
    case 'ints':
      w.uint32((8 << 3) | 2).fork();
      for (let i = 0; i < a.value.length; i++) w.int64(a.value[i]!);
      w.ldelim();
      break;
    case 'strings':
      for (const s of a.value) w.uint32((9 << 3) | 2).bytes(utf8.encode(s));
      break;
  }
}

function nodeBody(w: Writer, n: OnnxNode): void {
  for (const i of n.inputs) str(w, 1, i);
  for (const o of n.outputs) str(w, 2, o);
  str(w, 3, n.name);
  str(w, 4, n.opType);
  for (const [name, a] of Object.entries(n.attributes ?? {})) message(w, 5, (m) => attributeBody(m, name, a));
  if (n.domain) str(w, 7, n.domain);
}

function valueInfoBody(w: Writer, v: OnnxValueInfo): void {
  str(w, 1, v.name);
  // ValueInfoProto.type (2) → TypeProto.tensor_type (1) → elem_type (1), shape (2) → dim (1).
  message(w, 2, (type) =>
    message(type, 1, (tensor) => {
      tensor.uint32(1 << 3).int32(DATA_TYPE[v.elemType]);
      message(tensor, 2, (shape) => {
        for (const d of v.shape) {
          message(shape, 1, (dim) => (typeof d === 'number' ? int64(dim, 1, d) : str(dim, 2, d)));
        }
      });
    }),
  );
}

function graphBody(w: Writer, g: OnnxGraph): void {
  for (const n of g.nodes) message(w, 1, (m) => nodeBody(m, n));
  str(w, 2, g.name);
  for (const t of g.initializers ?? []) message(w, 5, (m) => tensorBody(m, t));
  str(w, 10, g.docString);
  for (const v of g.inputs) message(w, 11, (m) => valueInfoBody(m, v));
  for (const v of g.outputs) message(w, 12, (m) => valueInfoBody(m, v));
}

/**
 * Encodes a model to ONNX (ModelProto) bytes.
 * @throws ModelError when a tensor's values do not fill its dims.
 * @example
 * const bytes = buildModel({
 *   graph: {
 *     name: 'add_one',
 *     nodes: [{ opType: 'Add', inputs: ['x', 'one'], outputs: ['y'] }],
 *     initializers: [{ name: 'one', dataType: 'float', dims: [1], values: [1] }],
 *     inputs: [{ name: 'x', elemType: 'float', shape: ['N', 3] }],
 *     outputs: [{ name: 'y', elemType: 'float', shape: ['N', 3] }],
 *   },
 *   opsets: [{ domain: '', version: 17 }],
 * });
 */
export function buildModel(spec: OnnxModelSpec): Uint8Array {
  // A plain Writer (not Writer.create()) so every platform gets a Uint8Array, never a Node Buffer.
  const w = new protobuf.Writer();
  int64(w, 1, spec.irVersion ?? 8);
  str(w, 2, spec.producer?.name);
  str(w, 3, spec.producer?.version);
  str(w, 6, spec.docString);
  message(w, 7, (m) => graphBody(m, spec.graph));
  for (const o of spec.opsets) {
    message(w, 8, (m) => {
      str(m, 1, o.domain);
      int64(m, 2, o.version);
    });
  }
  for (const [key, value] of Object.entries(spec.metadata ?? {})) {
    message(w, 14, (m) => {
      str(m, 1, key);
      str(m, 2, value);
    });
  }
  return w.finish();
}
