/** What every lean operator shares: its prepare-time context, kernel type, attribute and input helpers. */
import { ModelError } from '../errors.js';
import type { LeanKernels } from './kernels.js';
import type { NodeProto } from './proto.js';
import { strides, type Value } from './tensor.js';

/** What an operator may look at while it is prepared. */
export interface OpContext {
  label: string;
  kernels: LeanKernels;
  /** The initializer (or constant folded value) named `name`, when it is one. */
  constant(name: string): Value | undefined;
}

/** A prepared node: input values (absent optional inputs as `undefined`) → output values. */
export type Kernel = (inputs: ReadonlyArray<Value | undefined>) => Value[];

export type OpCompiler = (node: NodeProto, ctx: OpContext) => Kernel | Promise<Kernel>;

/** Shape and type failures at run time (the probe at load turns them into a refusal). */
export function bad(ctx: OpContext, node: NodeProto, message: string): never {
  throw new ModelError(
    `model "${ctx.label}": ${node.opType} "${node.name}": ${message}`,
    {
      label: ctx.label,
      node: node.name,
      operator: node.opType,
      stage: 'run',
    },
    undefined,
    'INFERENCE_ERROR',
  );
}

export const int = (node: NodeProto, name: string, fallback: number): number =>
  node.attributes.get(name)?.i ?? fallback;
export const float = (node: NodeProto, name: string, fallback: number): number =>
  node.attributes.get(name)?.f ?? fallback;

export function need(
  ctx: OpContext,
  node: NodeProto,
  v: Value | undefined,
  what: string,
  type?: Value['type'],
): Value {
  if (v === undefined) bad(ctx, node, `input ${what} is missing`);
  if (type !== undefined && v.type !== type) bad(ctx, node, `input ${what} must be ${type}, got ${v.type}`);
  return v;
}

/** Numpy broadcasting of two shapes; `undefined` when they do not broadcast. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] | undefined {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return undefined;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** Element strides of `dims` seen through the broadcast `shape` (0 along broadcast axes). */
export function broadcastStrides(dims: readonly number[], shape: readonly number[]): number[] {
  const s = strides(dims);
  return shape.map((_, i) => {
    const j = i - (shape.length - dims.length);
    return j < 0 || dims[j] === 1 ? 0 : s[j]!;
  });
}
