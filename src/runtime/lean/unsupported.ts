/** The lean engine's refusal: a graph it cannot run, naming the operator (or attribute, or type) in the way. */
import { ModelError } from '../errors.js';

/** What stopped the lean engine; `auto` engine selection falls back to onnxruntime-web on this error only. */
export class UnsupportedGraphError extends ModelError {
  override name = 'UnsupportedGraphError';
  /** e.g. `ai.onnx.ml.TreeEnsembleClassifier`, or `Conv`. */
  readonly operator: string;

  constructor(label: string, operator: string, detail: string, context: Record<string, unknown> = {}) {
    super(`model "${label}": the lean engine cannot run ${operator}: ${detail}`, {
      label,
      operator,
      ...context,
    });
    this.operator = operator;
  }
}

/** True for the lean engine's refusal (also across realms, where `instanceof` fails). */
export function isUnsupportedGraph(error: unknown): error is UnsupportedGraphError {
  return error instanceof Error && error.name === 'UnsupportedGraphError';
}
