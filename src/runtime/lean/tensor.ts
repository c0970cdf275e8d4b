/** Values flowing through a lean graph: float32 tensors, and integer tensors (int64 held as float64). */
import type { ConstTensor } from './proto.js';

export type Value =
  | { type: 'float'; dims: number[]; data: Float32Array }
  | { type: 'int64'; dims: number[]; data: Float64Array };

export const size = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

export function fromConst(t: ConstTensor): Value {
  return t.type === 'float'
    ? { type: 'float', dims: t.dims, data: t.data }
    : { type: 'int64', dims: t.dims, data: t.data };
}

/** A value of the same type as `like` with new dims and data. */
export function withData(like: Value, dims: number[], data: Float32Array | Float64Array): Value {
  return like.type === 'float'
    ? { type: 'float', dims, data: data as Float32Array }
    : { type: 'int64', dims, data: data as Float64Array };
}

/** An empty buffer of `like`'s element type. */
export function alloc(like: Value, n: number): Float32Array | Float64Array {
  return like.type === 'float' ? new Float32Array(n) : new Float64Array(n);
}

/** Row-major strides. */
export function strides(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length);
  let acc = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= dims[i]!;
  }
  return s;
}

/** Normalises a possibly negative axis; `undefined` when it is outside `[-rank, rank)`. */
export function axisOf(axis: number, rank: number): number | undefined {
  const a = axis < 0 ? axis + rank : axis;
  return a >= 0 && a < rank ? a : undefined;
}
