/** The operators the lean engine runs: what our trainers emit and what `import-onnx` accepts, nothing more. */

import { gemm, matMul } from './linear-ops.js';
import { bad, broadcastShape, broadcastStrides, int, need, type OpCompiler } from './op-context.js';
import type { Attribute, NodeProto } from './proto.js';
import { alloc, axisOf, size, type Value, withData } from './tensor.js';
import { compileTreeEnsemble } from './tree-ensemble.js';
import { UnsupportedGraphError } from './unsupported.js';

export type { Kernel, OpContext } from './op-context.js';

function binary(fn: (x: number, y: number) => number): OpCompiler {
  return (node, ctx) => (inputs) => {
    const a = need(ctx, node, inputs[0], 'A');
    const b = need(ctx, node, inputs[1], 'B');
    if (a.type !== b.type) bad(ctx, node, `inputs are ${a.type} and ${b.type}`);
    if (a.type === 'int64' && node.opType === 'Div') bad(ctx, node, 'integer division is not supported');
    const shape = broadcastShape(a.dims, b.dims);
    if (!shape) bad(ctx, node, `shapes [${a.dims.join(', ')}] and [${b.dims.join(', ')}] do not broadcast`);
    const n = size(shape);
    const out = alloc(a, n);
    const ad = a.data;
    const bd = b.data;
    if (a.dims.length === b.dims.length && size(a.dims) === n && size(b.dims) === n) {
      for (let i = 0; i < n; i++) out[i] = fn(ad[i]!, bd[i]!);
    } else if (size(b.dims) === shape[shape.length - 1] && size(a.dims) === n) {
      // The common bias case: [N, M] + [M].
      const m = shape[shape.length - 1]!;
      for (let i = 0; i < n; i++) out[i] = fn(ad[i]!, bd[i % m]!);
    } else {
      const sa = broadcastStrides(a.dims, shape);
      const sb = broadcastStrides(b.dims, shape);
      const idx = new Array<number>(shape.length).fill(0);
      for (let i = 0; i < n; i++) {
        let pa = 0;
        let pb = 0;
        for (let d = 0; d < shape.length; d++) {
          pa += idx[d]! * sa[d]!;
          pb += idx[d]! * sb[d]!;
        }
        out[i] = fn(ad[pa]!, bd[pb]!);
        for (let d = shape.length - 1; d >= 0; d--) {
          if (++idx[d]! < shape[d]!) break;
          idx[d] = 0;
        }
      }
    }
    // Float32Array stores round each float64 result once: the same as a float32 add/sub/mul/div.
    return [withData(a, shape, out)];
  };
}

const gather: OpCompiler = (node, ctx) => (inputs) => {
  const data = need(ctx, node, inputs[0], 'data');
  const indices = need(ctx, node, inputs[1], 'indices', 'int64');
  const axis = axisOf(int(node, 'axis', 0), data.dims.length);
  if (axis === undefined)
    bad(ctx, node, `axis ${int(node, 'axis', 0)} is outside a rank-${data.dims.length} input`);
  const outer = size(data.dims.slice(0, axis));
  const extent = data.dims[axis]!;
  const inner = size(data.dims.slice(axis + 1));
  const ni = indices.data.length;
  const out = alloc(data, outer * ni * inner);
  for (let j = 0; j < ni; j++) {
    let k = indices.data[j]!;
    if (k < 0) k += extent;
    if (!(k >= 0 && k < extent))
      bad(ctx, node, `index ${indices.data[j]} is outside [${-extent}, ${extent})`);
    indices.data[j] = k;
  }
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < ni; j++) {
      const src = (o * extent + indices.data[j]!) * inner;
      out.set(data.data.subarray(src, src + inner), (o * ni + j) * inner);
    }
  }
  return [withData(data, [...data.dims.slice(0, axis), ...indices.dims, ...data.dims.slice(axis + 1)], out)];
};

const concat: OpCompiler = (node, ctx) => (inputs) => {
  const parts = inputs.map((v, i) => need(ctx, node, v, String(i)));
  const first = parts[0] ?? bad(ctx, node, 'no inputs');
  const axis = axisOf(int(node, 'axis', 0), first.dims.length);
  if (axis === undefined)
    bad(ctx, node, `axis ${int(node, 'axis', 0)} is outside a rank-${first.dims.length} input`);
  const outer = size(first.dims.slice(0, axis));
  const inner = size(first.dims.slice(axis + 1));
  let total = 0;
  for (const p of parts) {
    const same =
      p.type === first.type &&
      p.dims.length === first.dims.length &&
      p.dims.every((d, i) => i === axis || d === first.dims[i]);
    if (!same)
      bad(
        ctx,
        node,
        `inputs [${first.dims.join(', ')}] and [${p.dims.join(', ')}] do not concatenate on axis ${axis}`,
      );
    total += p.dims[axis]!;
  }
  const out = alloc(first, outer * total * inner);
  let at = 0;
  for (let o = 0; o < outer; o++) {
    for (const p of parts) {
      const chunk = p.dims[axis]! * inner;
      out.set(p.data.subarray(o * chunk, (o + 1) * chunk), at);
      at += chunk;
    }
  }
  const dims = [...first.dims];
  dims[axis] = total;
  return [withData(first, dims, out)];
};

const reshape: OpCompiler = (node, ctx) => {
  const allowZero = int(node, 'allowzero', 0) !== 0;
  return (inputs) => {
    const data = need(ctx, node, inputs[0], 'data');
    const shape = need(ctx, node, inputs[1], 'shape', 'int64');
    const dims = Array.from(shape.data, (d, i) =>
      d === 0 && !allowZero ? (data.dims[i] ?? bad(ctx, node, `shape entry ${i} copies a missing dim`)) : d,
    );
    const known = dims.reduce((a, d) => (d === -1 ? a : a * d), 1);
    const free = dims.filter((d) => d === -1).length;
    const n = size(data.dims);
    if (free > 1 || (free === 1 ? known === 0 || n % known !== 0 : known !== n)) {
      bad(ctx, node, `cannot reshape [${data.dims.join(', ')}] to [${Array.from(shape.data).join(', ')}]`);
    }
    return [
      withData(
        data,
        dims.map((d) => (d === -1 ? n / known : d)),
        data.data,
      ),
    ];
  };
};

const flatten: OpCompiler = (node, ctx) => (inputs) => {
  const data = need(ctx, node, inputs[0], 'input');
  const rank = data.dims.length;
  const raw = int(node, 'axis', 1);
  const axis = raw < 0 ? raw + rank : raw;
  if (!(axis >= 0 && axis <= rank)) bad(ctx, node, `axis ${raw} is outside a rank-${rank} input`);
  return [withData(data, [size(data.dims.slice(0, axis)), size(data.dims.slice(axis))], data.data)];
};

/** Squeeze/Unsqueeze: axes from the attribute (opset < 13) or the second input. */
function axesOf(node: NodeProto, inputs: ReadonlyArray<Value | undefined>): number[] | undefined {
  const attr: Attribute | undefined = node.attributes.get('axes');
  if (attr) return attr.ints;
  const v = inputs[1];
  return v ? Array.from(v.data) : undefined;
}

const squeeze: OpCompiler = (node, ctx) => (inputs) => {
  const data = need(ctx, node, inputs[0], 'data');
  const axes = axesOf(node, inputs)?.map(
    (a) => axisOf(a, data.dims.length) ?? bad(ctx, node, `axis ${a} is outside the input`),
  );
  const dims = data.dims.filter((d, i) => (axes ? !axes.includes(i) : d !== 1));
  if (axes?.some((a) => data.dims[a] !== 1))
    bad(ctx, node, `cannot squeeze a dim that is not 1 in [${data.dims.join(', ')}]`);
  return [withData(data, dims, data.data)];
};

const unsqueeze: OpCompiler = (node, ctx) => (inputs) => {
  const data = need(ctx, node, inputs[0], 'data');
  const axes = axesOf(node, inputs) ?? bad(ctx, node, 'axes are missing');
  const rank = data.dims.length + axes.length;
  const at = axes
    .map((a) => axisOf(a, rank) ?? bad(ctx, node, `axis ${a} is outside the output`))
    .sort((x, y) => x - y);
  const dims = [...data.dims];
  for (const a of at) dims.splice(a, 0, 1);
  return [withData(data, dims, data.data)];
};

const identity: OpCompiler = (node, ctx) => (inputs) => [need(ctx, node, inputs[0], 'input')];

const relu: OpCompiler = (node, ctx) => (inputs) => {
  const x = need(ctx, node, inputs[0], 'X', 'float');
  return [{ type: 'float', dims: x.dims, data: (x.data as Float32Array).map((v) => (v > 0 ? v : 0)) }];
};

// A Float32Array store rounds the float64 root once: the correctly rounded float32 sqrt, as onnxruntime's.
const sqrt: OpCompiler = (node, ctx) => (inputs) => {
  const x = need(ctx, node, inputs[0], 'X', 'float');
  return [{ type: 'float', dims: x.dims, data: (x.data as Float32Array).map(Math.sqrt) }];
};

const cast: OpCompiler = (node, ctx) => {
  const to = int(node, 'to', 0);
  if (to !== 1 && to !== 7) {
    throw new UnsupportedGraphError(
      ctx.label,
      'Cast',
      `casting to data type ${to} is not supported (only float and int64)`,
      { node: node.name },
    );
  }
  return (inputs) => {
    const x = need(ctx, node, inputs[0], 'input');
    if (to === 1) return [{ type: 'float', dims: x.dims, data: Float32Array.from(x.data) }];
    return [{ type: 'int64', dims: x.dims, data: Float64Array.from(x.data, Math.trunc) }];
  };
};

const treeEnsemble: OpCompiler = async (node, ctx) => {
  const { forest, maxFeature } = compileTreeEnsemble(ctx.label, node);
  const runner = await ctx.kernels.forest(forest);
  return (inputs) => {
    const x = need(ctx, node, inputs[0], 'X', 'float');
    if (x.dims.length !== 2) bad(ctx, node, `X must be 2-D, got [${x.dims.join(', ')}]`);
    const [n, f] = x.dims as [number, number];
    if (maxFeature >= f) bad(ctx, node, `the trees read feature ${maxFeature}, the input has ${f} features`);
    return [{ type: 'float', dims: [n, forest.nOut], data: runner.run(x.data as Float32Array, n, f) }];
  };
};

/** Operators by `domain.opType` (`''` is ai.onnx). */
export const OPERATORS: ReadonlyMap<string, OpCompiler> = new Map<string, OpCompiler>([
  ['MatMul', matMul],
  ['Gemm', gemm],
  ['Add', binary((x, y) => x + y)],
  ['Sub', binary((x, y) => x - y)],
  ['Mul', binary((x, y) => x * y)],
  ['Div', binary((x, y) => x / y)],
  ['Gather', gather],
  ['Concat', concat],
  ['Reshape', reshape],
  ['Flatten', flatten],
  ['Squeeze', squeeze],
  ['Unsqueeze', unsqueeze],
  ['Identity', identity],
  ['Relu', relu],
  ['Sqrt', sqrt],
  ['Cast', cast],
  ['ai.onnx.ml.TreeEnsembleRegressor', treeEnsemble],
]);

/** The key a node is looked up by, e.g. `Gemm` or `ai.onnx.ml.TreeEnsembleRegressor`. */
export function operatorName(node: NodeProto): string {
  const domain = node.domain === 'ai.onnx' ? '' : node.domain;
  return domain === '' ? node.opType : `${domain}.${node.opType}`;
}
