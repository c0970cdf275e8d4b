/** Reads the parts of an ONNX ModelProto the lean engine needs (field numbers from onnx.proto). */
import protobuf from 'protobufjs/minimal.js';
import { ModelError } from '../errors.js';
import { UnsupportedGraphError } from './unsupported.js';

type Reader = protobuf.Reader;

/** A constant tensor decoded to plain arrays: float32 data, or integers (int32/int64) as float64. */
export type ConstTensor =
  | { name: string; type: 'float'; dims: number[]; data: Float32Array }
  | { name: string; type: 'int64'; dims: number[]; data: Float64Array };

/** An attribute as decoded; which field is set depends on its type. */
export interface Attribute {
  name: string;
  f?: number;
  i?: number;
  s?: string;
  t?: ConstTensor;
  floats: number[];
  ints: number[];
  strings: string[];
}

export interface NodeProto {
  opType: string;
  domain: string;
  name: string;
  inputs: string[];
  outputs: string[];
  attributes: Map<string, Attribute>;
}

export interface ValueInfo {
  name: string;
  elemType: number;
  /** Sizes, or `undefined` for symbolic/unknown dims. */
  dims: (number | undefined)[];
}

export interface ModelProto {
  opsets: Map<string, number>;
  nodes: NodeProto[];
  initializers: Map<string, ConstTensor>;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
}

/** TensorProto.DataType values the lean engine reads. */
const FLOAT = 1;
const INT32 = 6;
const INT64 = 7;
const DOUBLE = 11;
/** Data types decoded as integers (uint8, int8, uint16, int16, int32, int64, bool, uint32, uint64). */
const INTEGER_TYPES = new Set([2, 3, 4, 5, INT32, INT64, 9, 12, 13]);

const utf8 = new TextDecoder();

/** protobufjs gives int64 as a number or, with long.js present, a Long. */
function toNumber(v: number | object): number {
  return typeof v === 'number' ? v : (v as { toNumber(): number }).toNumber();
}

/** Reads a repeated scalar field whether it was written packed (wire type 2) or one value per tag. */
function repeated(r: Reader, wire: number, read: () => number, into: number[]): void {
  if (wire !== 2) {
    into.push(read());
    return;
  }
  const end = r.uint32() + r.pos;
  while (r.pos < end) into.push(read());
}

function readMessage<T>(r: Reader, body: (r: Reader, end: number) => T): T {
  const end = r.uint32() + r.pos;
  return body(r, end);
}

function fields(r: Reader, end: number, on: (field: number, wire: number) => boolean): void {
  while (r.pos < end) {
    const tag = r.uint32();
    if (!on(tag >>> 3, tag & 7)) r.skipType(tag & 7);
  }
}

function readTensor(r: Reader, end: number): ConstTensor {
  const dims: number[] = [];
  let dataType = 0;
  let name = '';
  let raw: Uint8Array | undefined;
  const floats: number[] = [];
  const ints: number[] = [];
  let external = false;
  fields(r, end, (field, wire) => {
    switch (field) {
      case 1:
        repeated(r, wire, () => toNumber(r.int64()), dims);
        return true;
      case 2:
        dataType = r.int32();
        return true;
      case 4:
        repeated(r, wire, () => r.float(), floats);
        return true;
      case 5:
        repeated(r, wire, () => r.int32(), ints);
        return true;
      case 7:
        repeated(r, wire, () => toNumber(r.int64()), ints);
        return true;
      case 8:
        name = r.string();
        return true;
      case 9:
        raw = r.bytes();
        return true;
      case 10:
        repeated(r, wire, () => r.double(), floats);
        return true;
      case 14:
        external = r.int32() === 1;
        return true;
      default:
        return false;
    }
  });
  const size = dims.reduce((a, b) => a * b, 1);
  // Refused rather than failed: onnxruntime-web then gives its own verdict on the tensor.
  const fail = (why: string): never => {
    throw new TensorUnsupported(name, why, dataType, dims);
  };
  if (external) fail('external data is not supported');
  const view = raw ? new DataView(raw.buffer, raw.byteOffset, raw.byteLength) : undefined;
  if (dataType === FLOAT || dataType === DOUBLE) {
    const data = new Float32Array(size);
    const width = dataType === FLOAT ? 4 : 8;
    if (view) {
      if (view.byteLength !== size * width)
        fail(`raw_data holds ${view.byteLength} bytes for ${size} values`);
      for (let i = 0; i < size; i++)
        data[i] = width === 4 ? view.getFloat32(i * 4, true) : view.getFloat64(i * 8, true);
    } else {
      if (floats.length !== size) fail(`holds ${floats.length} values for dims [${dims.join(', ')}]`);
      data.set(floats);
    }
    return { name, type: 'float', dims, data };
  }
  if (INTEGER_TYPES.has(dataType)) {
    const data = new Float64Array(size);
    if (view) {
      const width = view.byteLength / Math.max(size, 1);
      if (dataType !== INT64 && dataType !== INT32) fail(`raw integer type ${dataType} is not supported`);
      if (width !== (dataType === INT64 ? 8 : 4) && size > 0) fail(`raw_data holds ${view.byteLength} bytes`);
      for (let i = 0; i < size; i++)
        data[i] = dataType === INT64 ? Number(view.getBigInt64(i * 8, true)) : view.getInt32(i * 4, true);
    } else {
      if (ints.length !== size) fail(`holds ${ints.length} values for dims [${dims.join(', ')}]`);
      data.set(ints);
    }
    return { name, type: 'int64', dims, data };
  }
  return fail(`data type ${dataType} is not supported by the lean engine`);
}

class TensorUnsupported extends Error {
  constructor(
    readonly tensor: string,
    readonly why: string,
    readonly dataType: number,
    readonly dims: number[],
  ) {
    super(why);
  }
}

function readAttribute(r: Reader, end: number): Attribute {
  const a: Attribute = { name: '', floats: [], ints: [], strings: [] };
  fields(r, end, (field, wire) => {
    switch (field) {
      case 1:
        a.name = r.string();
        return true;
      case 2:
        a.f = r.float();
        return true;
      case 3:
        a.i = toNumber(r.int64());
        return true;
      case 4:
        a.s = utf8.decode(r.bytes());
        return true;
      case 5:
        a.t = readMessage(r, readTensor);
        return true;
      case 7:
        repeated(r, wire, () => r.float(), a.floats);
        return true;
      case 8:
        repeated(r, wire, () => toNumber(r.int64()), a.ints);
        return true;
      case 9:
        a.strings.push(utf8.decode(r.bytes()));
        return true;
      default:
        return false;
    }
  });
  return a;
}

function readNode(r: Reader, end: number): NodeProto {
  const n: NodeProto = { opType: '', domain: '', name: '', inputs: [], outputs: [], attributes: new Map() };
  fields(r, end, (field) => {
    switch (field) {
      case 1:
        n.inputs.push(r.string());
        return true;
      case 2:
        n.outputs.push(r.string());
        return true;
      case 3:
        n.name = r.string();
        return true;
      case 4:
        n.opType = r.string();
        return true;
      case 5: {
        const a = readMessage(r, readAttribute);
        n.attributes.set(a.name, a);
        return true;
      }
      case 7:
        n.domain = r.string();
        return true;
      default:
        return false;
    }
  });
  return n;
}

/** ValueInfoProto → TypeProto.tensor_type → (elem_type, shape → dim → dim_value | dim_param). */
function readValueInfo(r: Reader, end: number): ValueInfo {
  const v: ValueInfo = { name: '', elemType: 0, dims: [] };
  fields(r, end, (field) => {
    if (field === 1) v.name = r.string();
    else if (field === 2) {
      readMessage(r, (r, end) =>
        fields(r, end, (f) => {
          if (f !== 1) return false;
          readMessage(r, (r, end) =>
            fields(r, end, (f) => {
              if (f === 1) v.elemType = r.int32();
              else if (f === 2) {
                readMessage(r, (r, end) =>
                  fields(r, end, (f) => {
                    if (f !== 1) return false;
                    let size: number | undefined;
                    readMessage(r, (r, end) =>
                      fields(r, end, (f) => {
                        if (f !== 1) return false;
                        size = toNumber(r.int64());
                        return true;
                      }),
                    );
                    v.dims.push(size);
                    return true;
                  }),
                );
              } else return false;
              return true;
            }),
          );
          return true;
        }),
      );
    } else return false;
    return true;
  });
  return v;
}

function readGraph(r: Reader, end: number, model: ModelProto): void {
  fields(r, end, (field) => {
    switch (field) {
      case 1:
        model.nodes.push(readMessage(r, readNode));
        return true;
      case 5: {
        const t = readMessage(r, readTensor);
        model.initializers.set(t.name, t);
        return true;
      }
      case 11:
        model.inputs.push(readMessage(r, readValueInfo));
        return true;
      case 12:
        model.outputs.push(readMessage(r, readValueInfo));
        return true;
      default:
        return false;
    }
  });
}

/**
 * Decodes ONNX bytes.
 * @throws ModelError when the bytes are not a ModelProto (truncated, wrong wire types) or hold no graph.
 */
export function readModel(bytes: Uint8Array, label: string): ModelProto {
  const model: ModelProto = {
    opsets: new Map(),
    nodes: [],
    initializers: new Map(),
    inputs: [],
    outputs: [],
  };
  let graphs = 0;
  try {
    const r = protobuf.Reader.create(bytes);
    fields(r, bytes.byteLength, (field) => {
      if (field === 7) {
        graphs++;
        readMessage(r, (r, end) => readGraph(r, end, model));
        return true;
      }
      if (field === 8) {
        let domain = '';
        let version = 0;
        readMessage(r, (r, end) =>
          fields(r, end, (f) => {
            if (f === 1) domain = r.string();
            else if (f === 2) version = toNumber(r.int64());
            else return false;
            return true;
          }),
        );
        model.opsets.set(domain === 'ai.onnx' ? '' : domain, version);
        return true;
      }
      return false;
    });
  } catch (cause) {
    if (cause instanceof TensorUnsupported) {
      throw new UnsupportedGraphError(label, `tensor "${cause.tensor}"`, cause.why, {
        dataType: cause.dataType,
        dims: cause.dims,
      });
    }
    throw new ModelError(
      `model "${label}" could not be loaded (${bytes.byteLength} bytes): not a valid ONNX model (${(cause as Error).message})`,
      { label, byteLength: bytes.byteLength, stage: 'load' },
      cause,
      'INFERENCE_ERROR',
    );
  }
  if (graphs === 0) {
    throw new ModelError(
      `model "${label}" could not be loaded (${bytes.byteLength} bytes): no graph in the ONNX bytes`,
      { label, byteLength: bytes.byteLength, stage: 'load' },
      undefined,
      'INFERENCE_ERROR',
    );
  }
  return model;
}
