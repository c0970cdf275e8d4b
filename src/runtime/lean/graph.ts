/** Compiles a decoded ONNX graph into a list of prepared kernels, refusing what the lean engine cannot run. */
import { type ModelIONames, resolveIONames } from '../engine/contract.js';
import { ModelError } from '../errors.js';
import type { LeanKernels } from './kernels.js';
import { biasVector, fusedMatMulAdd } from './linear-ops.js';
import { type Kernel, OPERATORS, operatorName } from './ops.js';
import type { ModelProto, NodeProto } from './proto.js';
import { fromConst, type Value } from './tensor.js';
import { UnsupportedGraphError } from './unsupported.js';

const FLOAT = 1;
const DOMAINS = new Set(['', 'ai.onnx', 'ai.onnx.ml']);

interface Step {
  kernel: Kernel;
  inputs: string[];
  outputs: string[];
}

/**
 * MatMul nodes whose only consumer is an Add of a constant bias: onnxruntime fuses these pairs (MatMulAddFusion)
 * into one product that starts from the bias, so the lean engine does too.
 */
function matMulAddPairs(model: ModelProto, constants: ReadonlyMap<string, Value>, graphOutput: string) {
  const consumers = new Map<string, NodeProto[]>();
  for (const n of model.nodes) for (const i of n.inputs) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const pairs = new Map<NodeProto, { add: NodeProto; bias: Float32Array }>();
  const skip = new Set<NodeProto>();
  for (const n of model.nodes) {
    if (operatorName(n) !== 'MatMul' || n.outputs.length !== 1) continue;
    const out = n.outputs[0]!;
    const users = consumers.get(out) ?? [];
    const add = users[0];
    if (out === graphOutput || users.length !== 1 || !add || operatorName(add) !== 'Add') continue;
    const other = add.inputs[0] === out ? add.inputs[1] : add.inputs[0];
    const bias = biasVector(other === undefined ? undefined : constants.get(other));
    const b = constants.get(n.inputs[1] ?? '');
    if (!bias || !b || b.dims.length !== 2 || bias.length !== b.dims[1]) continue;
    pairs.set(n, { add, bias });
    skip.add(add);
  }
  return { pairs, skip };
}

/** A graph ready to run: `features: float32[n, f]` → `float32[n, nOut]`. */
export interface LeanGraph {
  /** Feature count the graph declares, when its input shape names one. */
  readonly nFeatures: number | undefined;
  run(features: Float32Array, nRows: number, nFeatures: number): Float32Array;
}

/** Every operator the lean engine runs, for messages. */
export const SUPPORTED_OPERATORS = [...OPERATORS.keys()];

/**
 * Prepares every node (constants into the kernels, tree ensembles packed), folds nodes whose inputs are all
 * constants, and checks the graph's one non-constant input is the features.
 * @throws UnsupportedGraphError naming the first operator, domain, input or type the lean engine cannot run.
 * @throws ModelError when the model has no such input/output names (as onnxruntime-web would).
 */
export async function compileGraph(
  model: ModelProto,
  label: string,
  io: ModelIONames,
  kernels: LeanKernels,
): Promise<LeanGraph> {
  const constants = new Map<string, Value>();
  for (const [name, t] of model.initializers) constants.set(name, fromConst(t));
  const inputs = model.inputs.filter((v) => !constants.has(v.name));
  const names = resolveIONames(
    label,
    inputs.map((v) => v.name),
    model.outputs.map((v) => v.name),
    io,
  );
  if (typeof names === 'string') {
    throw new ModelError(names, {
      label,
      inputs: inputs.map((v) => v.name),
      outputs: model.outputs.map((v) => v.name),
      stage: 'load',
    });
  }
  const input = inputs.find((v) => v.name === names.input)!;
  const others = inputs.filter((v) => v !== input).map((v) => v.name);
  if (others.length > 0) {
    throw new UnsupportedGraphError(label, `input "${others[0]}"`, 'only one (feature) input is fed', {
      inputs: others,
    });
  }
  if (input.elemType !== FLOAT) {
    throw new UnsupportedGraphError(
      label,
      `input "${input.name}"`,
      `element type ${input.elemType} is not float`,
    );
  }
  const output = model.outputs.find((v) => v.name === names.output)!;
  if (output.elemType !== FLOAT && output.elemType !== 0) {
    throw new UnsupportedGraphError(
      label,
      `output "${output.name}"`,
      `element type ${output.elemType} is not float`,
    );
  }
  const steps: Step[] = [];
  const ctx = { label, kernels, constant: (name: string) => constants.get(name) };
  const fused = matMulAddPairs(model, constants, output.name);
  for (const node of model.nodes) {
    if (fused.skip.has(node)) continue;
    const pair = fused.pairs.get(node);
    if (pair) {
      steps.push({
        kernel: await fusedMatMulAdd(node, pair.bias, ctx),
        inputs: node.inputs,
        outputs: pair.add.outputs,
      });
      continue;
    }
    const op = operatorName(node);
    if (!DOMAINS.has(node.domain)) {
      throw new UnsupportedGraphError(label, op, `domain "${node.domain}" is not supported`, {
        node: node.name,
      });
    }
    const compile = OPERATORS.get(op);
    if (!compile) {
      throw new UnsupportedGraphError(
        label,
        op,
        `not among the operators it runs (${SUPPORTED_OPERATORS.join(', ')})`,
        {
          node: node.name,
        },
      );
    }
    const kernel = await compile(node, ctx);
    const step = { kernel, inputs: node.inputs, outputs: node.outputs };
    const given = node.inputs.filter((n) => n !== '');
    if (given.length > 0 && given.every((n) => constants.has(n))) {
      // Constant subgraph (e.g. a computed Reshape target): evaluate once now.
      const values = kernel(node.inputs.map((n) => (n === '' ? undefined : constants.get(n))));
      node.outputs.forEach((n, i) => {
        if (values[i]) constants.set(n, values[i]);
      });
      continue;
    }
    steps.push(step);
  }
  const declared = input.dims.length === 2 ? input.dims[1] : undefined;
  const graph: LeanGraph = {
    nFeatures: declared,
    run(features, nRows, nFeatures) {
      const env = new Map<string, Value>(constants);
      env.set(input.name, { type: 'float', dims: [nRows, nFeatures], data: features });
      for (const s of steps) {
        const values = s.kernel(s.inputs.map((n) => (n === '' ? undefined : env.get(n))));
        s.outputs.forEach((n, i) => {
          if (values[i]) env.set(n, values[i]);
        });
      }
      const out = env.get(output.name);
      if (out?.type !== 'float') {
        throw new ModelError(
          `model "${label}": output "${output.name}" is missing or not float32`,
          {
            label,
            stage: 'run',
          },
          undefined,
          'INFERENCE_ERROR',
        );
      }
      // An output that is the input itself (Identity) must not alias the caller's buffer.
      return out.data === features ? out.data.slice() : out.data;
    },
  };
  return graph;
}
