/** MatMul and Gemm with a constant right-hand side, in onnxruntime's float32 order (MLAS blocks, bias first). */
import {
  bad,
  broadcastShape,
  broadcastStrides,
  float,
  int,
  type Kernel,
  need,
  type OpCompiler,
  type OpContext,
} from './op-context.js';
import type { NodeProto } from './proto.js';
import type { Value } from './tensor.js';
import { UnsupportedGraphError } from './unsupported.js';

/** `bias + A · B` with B a constant (prepared once in the kernels); `transB` for Gemm's `[m, k]` layout. */
async function matmulKernel(
  node: NodeProto,
  ctx: OpContext,
  transB: boolean,
  bias: Float32Array | undefined,
): Promise<(a: Value) => Value> {
  const rhs = node.inputs[1] ?? '';
  const b = ctx.constant(rhs);
  if (!b) {
    throw new UnsupportedGraphError(
      ctx.label,
      node.opType,
      `its right-hand side "${rhs}" is computed, not a constant`,
      {
        node: node.name,
      },
    );
  }
  if (b.type !== 'float' || b.dims.length !== 2) {
    throw new UnsupportedGraphError(
      ctx.label,
      node.opType,
      `B must be a 2-D float constant, got [${b.dims.join(', ')}]`,
      {
        node: node.name,
      },
    );
  }
  const [r, c] = b.dims as [number, number];
  const [k, m] = transB ? [c, r] : [r, c];
  let data = b.data as Float32Array;
  if (transB) {
    data = new Float32Array(r * c);
    for (let i = 0; i < r; i++)
      for (let j = 0; j < c; j++) data[j * r + i] = (b.data as Float32Array)[i * c + j]!;
  }
  if (bias && bias.length !== m) bad(ctx, node, `bias holds ${bias.length} values for ${m} outputs`);
  const runner = await ctx.kernels.matmul(data, k, m, bias);
  return (a) => {
    if (a.type !== 'float' || a.dims.length !== 2)
      bad(ctx, node, `A must be a 2-D float tensor, got [${a.dims.join(', ')}]`);
    const [n, ka] = a.dims as [number, number];
    if (ka !== k) bad(ctx, node, `A has ${ka} columns, B has ${k} rows`);
    return { type: 'float', dims: [n, m], data: runner.run(a.data as Float32Array, n) };
  };
}

/** A constant that broadcasts as a per-column bias over `[·, m]` outputs (`[m]`, `[1, m]`), as a vector. */
export function biasVector(v: Value | undefined): Float32Array | undefined {
  if (v?.type !== 'float') return undefined;
  const d = v.dims;
  if (d.length === 1 || (d.length === 2 && d[0] === 1)) return v.data as Float32Array;
  return undefined;
}

export const matMul: OpCompiler = async (node, ctx) => {
  const mm = await matmulKernel(node, ctx, false, undefined);
  return (inputs) => [mm(need(ctx, node, inputs[0], 'A'))];
};

/**
 * MatMul followed by an Add of a constant bias, compiled as one product that starts from the bias — how
 * onnxruntime runs the pair after its MatMul+Add fusion, so the float32 rounding is the same.
 */
export async function fusedMatMulAdd(node: NodeProto, bias: Float32Array, ctx: OpContext): Promise<Kernel> {
  const mm = await matmulKernel(node, ctx, false, bias);
  return (inputs) => [mm(need(ctx, node, inputs[0], 'A'))];
}

export const gemm: OpCompiler = async (node, ctx) => {
  if (int(node, 'transA', 0) !== 0) {
    throw new UnsupportedGraphError(ctx.label, 'Gemm', 'transA=1 is not supported', { node: node.name });
  }
  const alpha = float(node, 'alpha', 1);
  const beta = float(node, 'beta', 1);
  const transB = int(node, 'transB', 0) !== 0;
  const c = node.inputs[2] ? ctx.constant(node.inputs[2]) : undefined;
  if (node.inputs[2] && !c) {
    throw new UnsupportedGraphError(ctx.label, 'Gemm', `C "${node.inputs[2]}" is computed, not a constant`, {
      node: node.name,
    });
  }
  const bias = beta === 1 && alpha === 1 ? biasVector(c) : undefined;
  const mm = await matmulKernel(node, ctx, transB, bias);
  return (inputs) => {
    const y = mm(need(ctx, node, inputs[0], 'A'));
    if (bias || ((c === undefined || beta === 0) && alpha === 1)) return [y];
    // General alpha/beta/C: within float32 rounding of onnxruntime, not bit-identical.
    const [n, m] = y.dims as [number, number];
    const out = y.data as Float32Array;
    for (let i = 0; i < out.length; i++) out[i] = alpha * out[i]!;
    if (c === undefined || beta === 0) return [y];
    const shape = broadcastShape([n, m], c.dims);
    if (!shape || shape[0] !== n || shape[1] !== m)
      bad(ctx, node, `C of shape [${c.dims.join(', ')}] does not broadcast to [${n}, ${m}]`);
    const sc = broadcastStrides(c.dims, [n, m]);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < m; j++) out[i * m + j] = out[i * m + j]! + beta * c.data[i * sc[0]! + j * sc[1]!]!;
    return [y];
  };
};
